"""Region edits' geometry and compositing: what is refused, what crop the model gets, and that every
pixel outside the region comes back exactly as it was."""

import io

import numpy as np
import pytest
from PIL import Image

from apps.assets import regions
from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue

MODEL = catalogue.get_model("nano-banana-2")
SIZES = {"1K": (1024, 1024), "4K": (5504, 3072)}  # 4K: the 16:9 4K answer, the largest the models make


def noise_png(width, height, seed=1) -> bytes:
    """A source whose every pixel differs from its neighbours, so a moved pixel cannot go unseen."""
    pixels = np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)
    return png(pixels)


def png(pixels) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", compress_level=0)
    return out.getvalue()


def pixels_of(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def answer_for(plan, colour=(10, 200, 30)) -> bytes:
    """What the model would answer: a picture of the requested pixel size (here one flat colour)."""
    width, height = plan.answer_pixels
    return png(np.full((height, width, 3), colour, dtype=np.uint8))


def changed_outside(before, after, region) -> int:
    """Pixels that differ outside the region (its box, and for a brush, its painted pixels)."""
    allowed = np.zeros(before.shape[:2], dtype=bool)
    box = region.box
    if region.mask is None:
        allowed[box.top:box.bottom, box.left:box.right] = True
    else:
        allowed[box.top:box.bottom, box.left:box.right] = region.mask
    return int(np.any(before != after, axis=2)[~allowed].sum())


# --- what is refused ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rect, words",
    [
        ({"x": -0.1, "y": 0.2, "w": 0.3, "h": 0.3}, "outside the image"),
        ({"x": 0.8, "y": 0.2, "w": 0.3, "h": 0.3}, "outside the image"),
        ({"x": 0.2, "y": 0.2, "w": 0, "h": 0.3}, "no area"),
        ({"x": 0, "y": 0, "w": 1, "h": 1}, "whole image"),
        ({"x": 0.2, "y": 0.2, "w": 0.001, "h": 0.3}, "at least 4x4"),
        ({"x": "a", "y": 0.2, "w": 0.3, "h": 0.3}, "region.x must be a number from 0 to 1"),
        ({"x": 0.1, "y": 0.2, "w": 0.3}, '"x", "y", "w", "h"'),
    ],
)
def test_bad_rectangles_are_refused_naming_region_and_its_limits(rect, words):
    with pytest.raises(ValidationFailed) as refused:
        regions.region_from_rect(rect, width=1024, height=768)
    assert refused.value.field == "region"
    assert words in refused.value.message


def test_a_mask_of_another_size_is_refused_with_both_sizes():
    mask = png(np.zeros((100, 120, 3), dtype=np.uint8))
    with pytest.raises(ValidationFailed) as refused:
        regions.region_from_mask(mask, width=1024, height=768)
    assert refused.value.field == "region"
    assert "120x100" in refused.value.message and "1024x768" in refused.value.message


@pytest.mark.parametrize("fill, words", [(0, "empty"), (255, "whole image")])
def test_an_empty_or_full_mask_is_refused(fill, words):
    mask = png(np.full((48, 64, 3), fill, dtype=np.uint8))
    with pytest.raises(ValidationFailed, match=words):
        regions.region_from_mask(mask, width=64, height=48)


def test_a_rectangle_snaps_outward_to_whole_pixels_and_reports_its_gemini_box():
    region = regions.region_from_rect({"x": 0.25, "y": 0.5, "w": 0.2501, "h": 0.25}, width=1000, height=800)
    assert region.box == regions.Box(250, 400, 501, 600)
    assert region.box_2d == [500, 250, 750, 501]


# --- what the model is sent -----------------------------------------------------------------


def test_the_crop_adds_a_fifth_of_the_region_each_side_clipped_at_the_edges():
    middle = regions.region_from_rect({"x": 0.4, "y": 0.4, "w": 0.2, "h": 0.1}, width=1000, height=1000)
    assert regions.crop_box(middle) == regions.Box(360, 380, 640, 520)
    corner = regions.region_from_rect({"x": 0, "y": 0, "w": 0.2, "h": 0.2}, width=1000, height=1000)
    assert regions.crop_box(corner) == regions.Box(0, 0, 240, 240)


def test_a_tiny_region_is_sent_at_the_smallest_size_that_covers_it():
    region = regions.region_from_rect({"x": 0.5, "y": 0.5, "w": 0.02, "h": 0.02}, width=4096, height=4096)
    plan = regions.plan(region, model=MODEL)
    assert (plan.aspect_ratio, plan.image_size, plan.answer_pixels) == ("1:1", "512", (512, 512))
    assert plan.covers.width <= 512 and plan.covers.height <= 512


def test_a_large_region_is_sent_at_4k_and_the_size_comes_from_the_catalogue():
    region = regions.region_from_rect({"x": 0.05, "y": 0.05, "w": 0.85, "h": 0.85}, width=4096, height=4096)
    plan = regions.plan(region, model=MODEL)
    assert (plan.aspect_ratio, plan.image_size) == ("1:1", "4K")
    assert plan.answer_pixels == catalogue.pixel_size("1:1", "4K")
    only_1k = regions.plan(region, model=catalogue.get_model("nano-banana"))
    assert only_1k.image_size == "1K"


def test_the_crop_grows_towards_the_answers_ratio_so_nothing_is_stretched():
    region = regions.region_from_rect({"x": 0.3, "y": 0.45, "w": 0.3, "h": 0.1}, width=2000, height=2000)
    plan = regions.plan(region, model=MODEL)
    ratio_w, ratio_h = catalogue.PIXELS_1K[plan.aspect_ratio]
    assert plan.covers.width / plan.covers.height == pytest.approx(ratio_w / ratio_h, rel=0.01)
    box = region.box
    assert plan.covers.left <= box.left and plan.covers.right >= box.right
    assert plan.covers.top <= box.top and plan.covers.bottom >= box.bottom


def test_the_models_own_ratios_are_used():
    wide = regions.region_from_rect({"x": 0.0, "y": 0.45, "w": 0.9, "h": 0.05}, width=4000, height=2000)
    assert regions.plan(wide, model=MODEL).aspect_ratio in MODEL.aspect_ratios
    pro = catalogue.get_model("nano-banana-pro")
    assert regions.plan(wide, model=pro).aspect_ratio in pro.aspect_ratios
    assert regions.plan(wide, model=pro).aspect_ratio == "21:9"


# --- compositing: nothing outside the region moves -----------------------------------------


@pytest.fixture(scope="module")
def sources():
    return {tier: noise_png(*size) for tier, size in SIZES.items()}


@pytest.mark.parametrize("tier", ["1K", "4K"])
@pytest.mark.parametrize(
    "rect",
    [
        {"x": 0, "y": 0, "w": 0.25, "h": 0.3},  # at a corner
        {"x": 0.4, "y": 0.35, "w": 0.2, "h": 0.25},  # in the middle
        {"x": 0.31, "y": 0.52, "w": 0.01, "h": 0.012},  # tiny: sent larger, scaled down
        {"x": 0.05, "y": 0.1, "w": 0.9, "h": 0.85},  # large
    ],
    ids=["corner", "middle", "tiny", "large"],
)
def test_every_pixel_outside_a_rectangle_is_the_sources(sources, tier, rect):
    width, height = SIZES[tier]
    region = regions.region_from_rect(rect, width=width, height=height)
    plan = regions.plan(region, model=MODEL)
    out = regions.composite(sources[tier], answer_for(plan), plan)

    before, after = pixels_of(sources[tier]), pixels_of(out)
    assert after.shape == before.shape
    assert changed_outside(before, after, region) == 0
    box, feather = region.box, regions.FEATHER_PX
    inner = after[box.top + feather:box.bottom - feather, box.left + feather:box.right - feather]
    assert (inner == (10, 200, 30)).all()  # past the feather, the answer itself


def test_a_tiny_regions_answer_is_scaled_down_to_the_crop():
    region = regions.region_from_rect({"x": 0.5, "y": 0.5, "w": 0.03, "h": 0.03}, width=1024, height=1024)
    plan = regions.plan(region, model=MODEL)
    assert plan.answer_pixels[0] > plan.covers.width  # sent at 512, the crop is smaller
    out = regions.composite(noise_png(1024, 1024), answer_for(plan), plan)
    assert Image.open(io.BytesIO(out)).size == (1024, 1024)
    box = region.box
    assert (pixels_of(out)[box.top + 8:box.bottom - 8, box.left + 8:box.right - 8] == (10, 200, 30)).all()


@pytest.mark.parametrize("tier", ["1K", "4K"])
def test_every_pixel_outside_a_brush_mask_is_the_sources(sources, tier):
    width, height = SIZES[tier]
    paint = Image.new("L", (width, height), 0)
    from PIL import ImageDraw

    ImageDraw.Draw(paint).ellipse((width * 0.3, height * 0.3, width * 0.55, height * 0.6), fill=255)
    ImageDraw.Draw(paint).line((width * 0.1, height * 0.8, width * 0.4, height * 0.7), fill=255, width=max(6, width // 100))
    out_mask = io.BytesIO()
    paint.save(out_mask, format="PNG")
    region = regions.region_from_mask(out_mask.getvalue(), width=width, height=height)
    plan = regions.plan(region, model=MODEL)
    out = regions.composite(sources[tier], answer_for(plan), plan)

    before, after = pixels_of(sources[tier]), pixels_of(out)
    assert changed_outside(before, after, region) == 0
    centre = (round(height * 0.45), round(width * 0.425))
    assert tuple(after[centre]) == (10, 200, 30)


@pytest.mark.parametrize("tier", ["1K", "4K"])
def test_marked_mode_sends_the_whole_picture_and_still_changes_only_the_region(sources, tier):
    width, height = SIZES[tier]
    region = regions.region_from_rect({"x": 0.6, "y": 0.2, "w": 0.2, "h": 0.3}, width=width, height=height)
    plan = regions.plan(region, model=MODEL, mode="marked")
    assert plan.covers == regions.Box(0, 0, width, height)
    assert plan.aspect_ratio == catalogue.nearest_ratio(width, height, MODEL.aspect_ratios)
    out = regions.composite(sources[tier], answer_for(plan), plan)
    assert changed_outside(pixels_of(sources[tier]), pixels_of(out), region) == 0


def test_the_marked_copy_outlines_the_region_without_touching_it():
    source = noise_png(400, 300)
    region = regions.region_from_rect({"x": 0.25, "y": 0.25, "w": 0.5, "h": 0.5}, width=400, height=300)
    before, marked = pixels_of(source), pixels_of(regions.marked_image(source, region))
    box = region.box
    assert (marked[box.top:box.bottom, box.left:box.right] == before[box.top:box.bottom, box.left:box.right]).all()
    assert tuple(marked[box.top - 1, box.left + 10]) == regions.OUTLINE_COLOUR
    assert tuple(marked[box.bottom, box.right - 10]) == regions.OUTLINE_COLOUR
    assert (marked[: box.top - 5] == before[: box.top - 5]).all()


def test_the_feather_ramps_inside_the_edge_but_not_at_the_images_own_edge():
    ramp = regions.alpha_ramp(40, feather=8, open_start=True, open_end=False)
    assert ramp[0] == 255 and ramp[-1] < 32 and ramp[-9] == 255
    assert list(ramp[-8:]) == sorted(ramp[-8:], reverse=True)


def test_a_source_with_transparency_keeps_its_alpha_and_its_pixels():
    pixels = np.random.default_rng(3).integers(0, 256, (200, 300, 4), dtype=np.uint8)
    source = png(pixels)
    region = regions.region_from_rect({"x": 0.2, "y": 0.2, "w": 0.4, "h": 0.4}, width=300, height=200)
    plan = regions.plan(region, model=MODEL)
    after = np.asarray(Image.open(io.BytesIO(regions.composite(source, answer_for(plan), plan))))
    assert after.shape == pixels.shape
    outside = np.ones((200, 300), dtype=bool)
    box = region.box
    outside[box.top:box.bottom, box.left:box.right] = False
    assert (after[outside] == pixels[outside]).all()
    assert (after[..., 3] == pixels[..., 3]).all()
