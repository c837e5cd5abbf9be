"""Request building and response parsing, through the real SDK against the emulator over HTTP."""

import pytest

from apps.gemini import catalogue
from apps.gemini.checks import check_image_settings
from apps.gemini.gateway import GatewayError, ImageRequest, InputImage, generate_image
from tests.images import image_bytes, open_image


def request_for(prompt="a red bicycle", images=(), **settings):
    settings = {"model": "nano-banana-2", "aspect_ratio": "16:9", "image_size": "1K", "thinking_level": None} | settings
    return ImageRequest(settings=check_image_settings(**settings), prompt=prompt, images=tuple(images), system_instruction="Brand brief")


def test_generate_returns_png_of_catalogue_size_with_provenance(upstream):
    result = generate_image(request_for(image_size="2K"))

    assert len(result.images) == 1
    image = open_image(result.images[0].data)
    assert image.format == "PNG"
    assert image.size == catalogue.pixel_size("16:9", "2K") == (2752, 1536)
    assert result.images[0].mime_type == "image/png"
    assert result.response_id and result.model_version == "gemini-3.1-flash-image-preview"
    assert result.usage["candidates_token_count"] > 0 and result.usage["total_token_count"] > 0
    assert result.finish_reason == "STOP"


def test_reference_images_are_sent_interleaved_with_their_labels(upstream):
    images = [InputImage(data=image_bytes(), mime_type="image/png", label=f"Reference {i} for Mia") for i in range(3)]
    generate_image(request_for(images=images))

    [call] = upstream.state.log
    assert call["input_images"] == 3
    assert call["status"] == 200


def test_thinking_parts_are_not_results_and_grounding_is_parsed(upstream):
    result = generate_image(request_for(thinking_level="high", web_search=True, image_search=True))

    assert len(result.images) == 1
    assert "Planning" not in result.text  # the thought part is skipped
    assert result.grounding["web_search_queries"]
    assert result.grounding["image_search_queries"]
    assert result.grounding["grounding_chunks"][0]["web"]["uri"].startswith("https://")


@pytest.mark.parametrize(
    ("marker", "code", "retryable"),
    [
        ("[fault:400]", "invalid_request", False),
        ("[fault:429]", "rate_limited", True),
        ("[fault:500]", "upstream_unavailable", True),
        ("[fault:503]", "upstream_unavailable", True),
        ("[fault:safety]", "blocked", False),
        ("[fault:blocked]", "blocked", False),
        ("[fault:no-image]", "no_image", False),
    ],
)
def test_upstream_failures_map_to_platform_codes(upstream, marker, code, retryable):
    with pytest.raises(GatewayError) as failure:
        generate_image(request_for(prompt=f"a cat {marker}"))

    assert failure.value.code == code
    assert failure.value.retryable is retryable
    assert failure.value.message


def test_rate_limit_carries_the_servers_retry_delay(upstream):
    with pytest.raises(GatewayError) as failure:
        generate_image(request_for(prompt="a dog [fault:429]"))

    assert failure.value.retry_after == pytest.approx(1.0)


def test_timeout_is_its_own_code(upstream, settings):
    settings.GEMINI_TIMEOUT_MS = 300
    with pytest.raises(GatewayError) as failure:
        generate_image(request_for(prompt="slow one [fault:slow=2]"))

    assert failure.value.code == "timeout" and failure.value.retryable


def test_unreachable_upstream_is_upstream_unavailable(monkeypatch, emulator):
    monkeypatch.setenv("GOOGLE_GEMINI_BASE_URL", "http://127.0.0.1:9")
    with pytest.raises(GatewayError) as failure:
        generate_image(request_for())

    assert failure.value.code == "upstream_unavailable" and failure.value.retryable
