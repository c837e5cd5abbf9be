import pytest

from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue
from apps.gemini.checks import check_image_settings


def test_aliases_and_full_ids_name_the_same_model():
    for alias, model_id in [
        ("nano-banana-2", "gemini-3.1-flash-image-preview"),
        ("nano-banana-pro", "gemini-3-pro-image-preview"),
        ("nano-banana", "gemini-2.5-flash-image"),
    ]:
        assert catalogue.get_model(alias) is catalogue.get_model(model_id)
        assert catalogue.get_model(alias).model_id == model_id


def test_nano_banana_2_has_fourteen_ratios_and_four_sizes():
    model = catalogue.get_model("nano-banana-2")
    assert len(model.aspect_ratios) == 14
    assert model.sizes == ("512", "1K", "2K", "4K")
    assert len(catalogue.get_model("nano-banana-pro").aspect_ratios) == 10


@pytest.mark.parametrize(
    ("ratio", "size", "pixels"),
    [("1:1", "1K", (1024, 1024)), ("16:9", "1K", (1376, 768)), ("16:9", "2K", (2752, 1536)), ("16:9", "4K", (5504, 3072)), ("1:1", "512", (512, 512))],
)
def test_pixel_table(ratio, size, pixels):
    assert catalogue.pixel_size(ratio, size) == pixels


def test_every_size_has_a_price():
    for model in catalogue.MODELS:
        for size in model.sizes:
            assert model.price(size) > 0


@pytest.mark.parametrize(
    ("job", "field"),
    [
        ({"model": "nano-banana-pro", "aspect_ratio": "8:1"}, "aspect_ratio"),
        ({"model": "nano-banana-pro", "image_size": "512"}, "image_size"),
        ({"model": "nano-banana", "thinking_level": "high"}, "thinking_level"),
        ({"model": "nano-banana", "image_size": "2K"}, "image_size"),
        ({"model": "nano-banana-pro", "image_search": True}, "grounding.image"),
        ({"model": "nano-banana", "web_search": True}, "grounding.web"),
        ({"model": "dall-e"}, "model"),
        ({"model": "nano-banana-2", "input_images": 15}, "source_assets"),
    ],
)
def test_settings_a_model_lacks_are_refused_with_the_field_and_allowed_values(job, field):
    arguments = {"model": None, "aspect_ratio": None, "image_size": None, "thinking_level": None} | job
    with pytest.raises(ValidationFailed) as failure:
        check_image_settings(**arguments)
    assert failure.value.field == field
    assert failure.value.message


def test_pro_ratio_error_lists_allowed_values():
    with pytest.raises(ValidationFailed) as failure:
        check_image_settings(model="nano-banana-pro", aspect_ratio="8:1", image_size=None, thinking_level=None)
    assert "16:9" in failure.value.message
    assert failure.value.details["allowed"] == list(catalogue.get_model("nano-banana-pro").aspect_ratios)
