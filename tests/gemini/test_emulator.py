"""The emulator refuses what the real API refuses, even when our own checks are bypassed."""

import base64
import hashlib
import io
import json
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import CommandError, call_command
from PIL import Image

from apps.gemini import catalogue
from apps.gemini.checks import ImageSettings
from apps.gemini.emulator.generation import parse_latency
from apps.gemini.emulator.protocol import signature_for
from apps.gemini.gateway import GatewayError, ImageRequest, InputImage, generate_image
from tests.images import image_bytes


def unchecked(model="nano-banana-2", aspect_ratio="1:1", image_size="1K", thinking_level=None, web=False, image=False):
    return ImageSettings(catalogue.get_model(model), aspect_ratio, image_size, thinking_level, web, image)


@pytest.mark.parametrize(
    "job",
    [
        unchecked("nano-banana-pro", aspect_ratio="8:1"),
        unchecked("nano-banana-pro", image_size="512"),
        unchecked("nano-banana", thinking_level="high"),
        unchecked("nano-banana-pro", thinking_level="minimal"),
        unchecked("nano-banana-pro", image=True),
    ],
)
def test_invalid_settings_are_400_invalid_argument(upstream, job):
    with pytest.raises(GatewayError) as failure:
        generate_image(ImageRequest(settings=job, prompt="x"))
    assert failure.value.code == "invalid_request"
    assert "INVALID_ARGUMENT" in failure.value.message


def test_fifteen_input_images_are_refused(upstream):
    images = tuple(InputImage(image_bytes(8, 8), "image/png", "ref") for _ in range(15))
    with pytest.raises(GatewayError) as failure:
        generate_image(ImageRequest(settings=unchecked(), prompt="x", images=images))
    assert "at most 14" in failure.value.message


def test_bytes_that_are_not_an_image_are_refused(upstream):
    with pytest.raises(GatewayError) as failure:
        generate_image(ImageRequest(settings=unchecked(), prompt="x", images=(InputImage(b"not an image", "image/png", "ref"),)))
    assert failure.value.code == "invalid_request"


def post(url, body):
    request = urllib.request.Request(url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.load(error)


def test_snake_case_camel_case_and_url_safe_base64_are_all_accepted(upstream):
    data = base64.urlsafe_b64encode(image_bytes(33, 17)).decode().rstrip("=")
    body = {
        "contents": [{"role": "user", "parts": [{"text": "edit"}, {"inline_data": {"mimeType": "image/png", "data": data}}]}],
        "generation_config": {"imageConfig": {"aspect_ratio": "4:3"}},
    }
    status, answer = post(f"{upstream.base_url}/v1beta/models/gemini-2.5-flash-image:generateContent", body)
    assert status == 200
    assert answer["candidates"][0]["content"]["parts"][-1]["inlineData"]["mimeType"] == "image/png"


def test_error_shape_matches_google(upstream):
    status, answer = post(f"{upstream.base_url}/v1/models/gemini-3-pro-image-preview:generateContent", {"contents": [{"parts": [{"text": "x"}]}], "generationConfig": {"imageConfig": {"aspectRatio": "1:8"}}})
    assert status == 400
    assert answer["error"]["status"] == "INVALID_ARGUMENT" and answer["error"]["code"] == 400


def test_rpm_limit_answers_429_with_retry_delay():
    from apps.gemini.emulator import start_in_thread

    server = start_in_thread(rpm=1)
    try:
        body = {"contents": [{"parts": [{"text": "x"}]}]}
        assert post(f"{server.base_url}/v1/models/gemini-2.5-flash-image:generateContent", body)[0] == 200
        status, answer = post(f"{server.base_url}/v1/models/gemini-2.5-flash-image:generateContent", body)
        assert status == 429
        assert answer["error"]["details"][0]["retryDelay"].endswith("s")
    finally:
        server.shutdown()


@pytest.fixture
def prerendered(upstream):
    """The shared emulator answering with pre-rendered images, per-size latency as a test sets it."""
    upstream.state.prerendered = True
    yield upstream
    upstream.state.prerendered = False
    upstream.state.latency = {}


def test_prerendered_answers_have_the_catalogue_size_and_share_one_size_s_bytes(prerendered):
    job = unchecked(aspect_ratio="16:9", image_size="512")
    first = generate_image(ImageRequest(settings=job, prompt="a bottle on a beach"))
    second = generate_image(ImageRequest(settings=job, prompt="a kettle in a kitchen"))
    portrait = generate_image(ImageRequest(settings=unchecked(aspect_ratio="9:16", image_size="512"), prompt="a kettle in a kitchen"))

    image = Image.open(io.BytesIO(first.images[0].data))
    assert image.format == "PNG" and image.size == catalogue.pixel_size("16:9", "512")
    assert second.images[0].data == first.images[0].data
    assert Image.open(io.BytesIO(portrait.images[0].data)).size == catalogue.pixel_size("9:16", "512")
    # Photo-like, so its PNG weighs what a real answer's does (a flat drawing would be a few KB).
    assert len(first.images[0].data) > image.width * image.height
    # Signed and logged as every answer is.
    signature = first.parts[-1].fields["thought_signature"]
    assert base64.urlsafe_b64decode(signature) == signature_for(job.model.model_id, first.images[0].data)
    assert [call["reply"][-1]["image"] for call in prerendered.state.log[:2]] == [hashlib.sha256(first.images[0].data).hexdigest()] * 2


def test_latency_per_size_applies_to_its_size_only(prerendered):
    prerendered.state.latency = parse_latency("512=0.3,default=0")
    started = time.monotonic()
    generate_image(ImageRequest(settings=unchecked(image_size="512"), prompt="slow tier"))
    assert time.monotonic() - started >= 0.3
    generate_image(ImageRequest(settings=unchecked(image_size="1K"), prompt="unnamed tier"))
    assert [call["latency"] for call in prerendered.state.log] == [0.3, 0.0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("9K=3", "unknown size '9K'; give one number of seconds or SIZE=SECONDS pairs, SIZE one of 512, 1K, 2K, 4K, default"),
        ("4K=fast", "'fast' for 4K is not a number of seconds >= 0"),
        ("512=4,4K=-1", "'-1' for 4K is not a number of seconds >= 0"),
    ],
)
def test_a_bad_latency_is_refused_with_what_is_wrong(value, message):
    with pytest.raises(CommandError) as refusal:
        call_command("gemini_emulator", "--latency", value)
    assert message in str(refusal.value)
    assert parse_latency("2.5") == {"default": 2.5}


def test_a_benchmark_can_have_sizes_rendered_ahead(prerendered):
    status, answer = post(f"{prerendered.base_url}/_emulator/prerender", {"sizes": [["1:1", "512"]]})
    assert status == 200
    assert [(made["width"], made["height"]) for made in answer["prerendered"]] == [catalogue.pixel_size("1:1", "512")]
    status, answer = post(f"{prerendered.base_url}/_emulator/prerender", {"sizes": [["1:1", "9K"]]})
    assert status == 400 and answer["error"]["status"] == "INVALID_ARGUMENT"


def test_the_emulators_modules_import_only_downwards():
    """protocol <- render <- generation <- batches <- server: no module imports one above it (at any
    depth in the file), so there is no import circle."""
    import ast
    from pathlib import Path

    import apps.gemini.emulator as package

    order = ["protocol", "credentials", "render", "generation", "batches", "server"]
    folder = Path(package.__file__).parent
    upwards = []
    for position, name in enumerate(order):
        tree = ast.parse((folder / f"{name}.py").read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("apps.gemini.emulator."):
                imported = node.module.rsplit(".", 1)[1]
                if imported in order and order.index(imported) >= position:
                    upwards.append(f"{name} imports {imported}")
    assert upwards == []
