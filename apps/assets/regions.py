"""Region edits as geometry and pixels: which part of a source may change, what crop the model is
sent, and how its answer goes back in so that nothing outside the region moves. Pure functions, no
storage; the generation engine calls them when it builds a region edit's request and stores its
answer.

Gemini has no mask parameter, and "keep everything else the same" still lets the rest drift. So the
platform crops the region with some context, has the crop edited, scales the answer back to the
crop's size and composites it through a mask that is 0 outside the region: every pixel outside the
region is copied from the source, bit for bit (the feather lies inside the region's edge).

Pixels go through libvips, lazily and tile by tile: the source is decoded once into memory and the
output PNG is encoded from it, so the peak stays near the source's decoded size plus its PNG.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pyvips

from apps.assets.png import png_bytes
from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue

CONTEXT = 0.2  # context sent around the region, as a share of its size on each side
FEATHER_PX = 8  # the blend ramp, inside the region's edge
MAX_FEATHER_PX = 64
MAX_ANSWER_SIZE = "4K"
MIN_REGION_PX = 4  # a region narrower than this, in source pixels, is refused
MODES = ("crop", "marked")  # crop: the model sees the crop; marked: the whole image and an outlined copy
MODE_CHOICES = [("crop", "the region with some context (sharpest)"), ("marked", "the whole image with the region marked")]  # for forms
OUTLINE_COLOUR = (255, 0, 255)


@dataclass(frozen=True)
class Box:
    """A rectangle in source pixels, right and bottom exclusive."""

    left: int
    top: int
    right: int
    bottom: int

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def as_dict(self) -> dict:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height}


@dataclass(frozen=True)
class Region:
    """What may change: a box, and inside it a brush mask (True = change) or, for a rectangle, all of it."""

    box: Box
    image_width: int
    image_height: int
    mask: np.ndarray | None = None  # bool, the box's shape

    @property
    def normalised(self) -> dict:
        """The box as {"x", "y", "w", "h"} in 0–1 of the image (what lineage and pins record)."""
        w, h = self.image_width, self.image_height
        return {
            "x": round(self.box.left / w, 6), "y": round(self.box.top / h, 6),
            "w": round(self.box.width / w, 6), "h": round(self.box.height / h, 6),
        }

    @property
    def box_2d(self) -> list[int]:
        """Gemini's normalised box: [y1, x1, y2, x2] in 0–1000."""
        w, h = self.image_width, self.image_height
        return [
            math.floor(self.box.top * 1000 / h), math.floor(self.box.left * 1000 / w),
            math.ceil(self.box.bottom * 1000 / h), math.ceil(self.box.right * 1000 / w),
        ]


def _refuse(message: str, **details) -> ValidationFailed:
    return ValidationFailed(message, field="region", code="invalid_region", details=details)


def region_from_rect(rect, *, width: int, height: int) -> Region:
    """A rectangle given as {"x", "y", "w", "h"} in 0–1 of the source, checked and snapped outward to
    whole pixels. Refused (naming `region` and the limits): a missing or non-number value, anything
    outside 0–1, a zero or tiny area, and the whole image (an ordinary edit does that)."""
    limits = {"min": 0, "max": 1}
    if not isinstance(rect, dict) or set(rect) != {"x", "y", "w", "h"}:
        raise _refuse('The region must be {"x", "y", "w", "h"}, each a number from 0 to 1 of the image.', **limits)
    values = {}
    for key in ("x", "y", "w", "h"):
        value = rect[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise _refuse(f"region.{key} must be a number from 0 to 1; got {value!r}.", **limits, value=value)
        values[key] = float(value)
    x, y, w, h = values["x"], values["y"], values["w"], values["h"]
    if w <= 0 or h <= 0:
        raise _refuse(f"The region has no area (w={w:g}, h={h:g}); mark the part to change.", **limits, value=rect)
    eps = 1e-9
    if x < 0 or y < 0 or x + w > 1 + eps or y + h > 1 + eps:
        raise _refuse(
            f"The region reaches outside the image: x={x:g}..{x + w:g}, y={y:g}..{y + h:g}; each must lie from 0 to 1.",
            **limits, value=rect,
        )
    box = Box(
        max(0, math.floor(x * width + eps)), max(0, math.floor(y * height + eps)),
        min(width, math.ceil((x + w) * width - eps)), min(height, math.ceil((y + h) * height - eps)),
    )
    return _checked(Region(box, width, height))


def region_from_mask(data: bytes, *, width: int, height: int) -> Region:
    """A brush mask: a PNG the source's size, white (>= 128) where the image may change."""
    try:
        image = pyvips.Image.new_from_buffer(data, "", access="sequential")
        if (image.width, image.height) != (width, height):
            raise _refuse(
                f"The mask is {image.width}x{image.height}; it must be the source's size, {width}x{height}.",
                width=width, height=height, value=f"{image.width}x{image.height}",
            )
        if image.hasalpha():
            image = image.flatten(background=0)
        grey = image.colourspace("b-w")[0] if image.bands > 1 else image
        if grey.format != "uchar":
            grey = grey.cast("uchar", shift=True)
        pixels = np.ndarray(buffer=grey.write_to_memory(), dtype=np.uint8, shape=(height, width)) >= 128
    except pyvips.Error as exc:
        raise _refuse("The mask is not an image we can read; send a PNG, white where the image may change.") from exc
    rows, cols = np.flatnonzero(pixels.any(axis=1)), np.flatnonzero(pixels.any(axis=0))
    if rows.size == 0:
        raise _refuse("The mask is empty: paint white where the image may change.", value=0)
    box = Box(int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1)
    mask = np.ascontiguousarray(pixels[box.top:box.bottom, box.left:box.right])
    return _checked(Region(box, width, height, mask), painted=int(mask.sum()))


def _checked(region: Region, *, painted: int | None = None) -> Region:
    box, width, height = region.box, region.image_width, region.image_height
    if box.width < MIN_REGION_PX or box.height < MIN_REGION_PX:
        raise _refuse(
            f"The region is {box.width}x{box.height} pixels; it must be at least {MIN_REGION_PX}x{MIN_REGION_PX} of this {width}x{height} image.",
            min_pixels=MIN_REGION_PX, value=f"{box.width}x{box.height}",
        )
    if (painted if painted is not None else box.width * box.height) >= width * height:
        raise _refuse("The region covers the whole image; use an edit to change all of it.", max="less than the whole image")
    return region


@dataclass(frozen=True)
class Plan:
    """What a region edit sends and how its answer maps back."""

    region: Region
    mode: str
    covers: Box  # the part of the source the model's answer depicts (the crop; the whole image in marked mode)
    aspect_ratio: str
    image_size: str
    answer_pixels: tuple[int, int]


def crop_box(region: Region, *, context: float = CONTEXT) -> Box:
    """The region with `context` of its size added on each side, clipped at the image's edges."""
    box = region.box
    dx, dy = round(box.width * context), round(box.height * context)
    return Box(
        max(0, box.left - dx), max(0, box.top - dy),
        min(region.image_width, box.right + dx), min(region.image_height, box.bottom + dy),
    )


def fit_ratio(box: Box, ratio: str, *, width: int, height: int) -> Box:
    """Grow `box` along its short side towards `ratio` (more context, centred, kept inside the image),
    so the answer is scaled back without being stretched; where the image ends, as near as it allows."""
    rw, rh = catalogue.PIXELS_1K[ratio]
    want_w = min(width, round(box.height * rw / rh))
    want_h = min(height, round(box.width * rh / rw))
    left, right = _grow(box.left, box.right, max(box.width, want_w), width)
    top, bottom = _grow(box.top, box.bottom, max(box.height, want_h), height)
    return Box(left, top, right, bottom)


def _grow(start: int, end: int, size: int, limit: int) -> tuple[int, int]:
    extra = size - (end - start)
    start -= extra // 2
    start = min(max(0, start), limit - size)
    return start, start + size


def answer_format(width: int, height: int, model: catalogue.ImageModel) -> tuple[str, str, tuple[int, int]]:
    """The model's nearest aspect ratio to width:height and the smallest of its sizes (up to 4K)
    whose pixels cover width x height, with that answer's pixel size; the largest when none does."""
    ratio = catalogue.nearest_ratio(width, height, model.aspect_ratios)
    scales = catalogue.SIZE_SCALE
    sizes = sorted((s for s in model.sizes if scales[s] <= scales[MAX_ANSWER_SIZE]), key=scales.get)
    for size in sizes:
        pixels = catalogue.pixel_size(ratio, size)
        if pixels[0] >= width and pixels[1] >= height:
            return ratio, size, pixels
    return ratio, sizes[-1], catalogue.pixel_size(ratio, sizes[-1])


def plan(region: Region, *, model: catalogue.ImageModel, mode: str = "crop", context: float = CONTEXT) -> Plan:
    """The crop to send (or the whole image, marked) and the answer's ratio and size."""
    width, height = region.image_width, region.image_height
    if mode == "marked":
        covers = Box(0, 0, width, height)
    else:
        crop = crop_box(region, context=context)
        covers = fit_ratio(crop, catalogue.nearest_ratio(crop.width, crop.height, model.aspect_ratios), width=width, height=height)
    ratio, size, pixels = answer_format(covers.width, covers.height, model)
    return Plan(region, mode, covers, ratio, size, pixels)


# --- pixels -------------------------------------------------------------------------------------


def _load(data: bytes) -> pyvips.Image:
    """Decoded once into memory (random access: the region is read, then every row for the output)."""
    return pyvips.Image.new_from_buffer(data, "", access="sequential").copy_memory()


def crop_image(source: bytes, box: Box) -> bytes:
    """The part of the source the model is sent, as PNG at its own pixel size."""
    image = pyvips.Image.new_from_buffer(source, "")
    return png_bytes(image.crop(box.left, box.top, box.width, box.height))


def marked_image(source: bytes, region: Region, *, line: int | None = None) -> bytes:
    """A copy of the source with the region's box outlined (outside the box, so the region itself is
    shown as it is), for the "whole image, marked" mode."""
    image = pyvips.Image.new_from_buffer(source, "").copy_memory()
    if image.bands not in (3, 4):
        image = image.colourspace("srgb")
    line = line or max(2, round(max(image.width, image.height) / 400))
    box = region.box
    ink = list(OUTLINE_COLOUR) + ([255] * (image.bands - 3))
    for i in range(1, line + 1):
        left, top = max(0, box.left - i), max(0, box.top - i)
        right, bottom = min(image.width - 1, box.right - 1 + i), min(image.height - 1, box.bottom - 1 + i)
        image = image.draw_rect(ink, left, top, right - left + 1, bottom - top + 1, fill=False)
    return png_bytes(image)


def alpha_ramp(length: int, *, feather: int, open_start: bool, open_end: bool) -> np.ndarray:
    """Blend weights 0–255 across one side of a rectangle: rising over `feather` pixels from each
    edge (not at an edge that is the image's own: nothing lies beyond it to blend with)."""
    position = np.arange(length, dtype=np.float32) + 0.5
    ramp = np.ones(length, dtype=np.float32)
    if feather > 0:
        if not open_start:
            ramp = np.minimum(ramp, position / feather)
        if not open_end:
            ramp = np.minimum(ramp, (length - position) / feather)
    return np.clip(np.rint(ramp * 255), 0, 255).astype(np.uint8)


def alpha_mask(region: Region, *, feather: int = FEATHER_PX) -> pyvips.Image:
    """The blend weight (0–255) over the region's box: 0 outside the region, rising to 255 `feather`
    pixels inside its edge."""
    box, w, h = region.box, region.image_width, region.image_height
    if region.mask is None:
        across = alpha_ramp(box.width, feather=feather, open_start=box.left == 0, open_end=box.right == w)
        down = alpha_ramp(box.height, feather=feather, open_start=box.top == 0, open_end=box.bottom == h)
        row = pyvips.Image.new_from_array(across.reshape(1, -1)).cast("uchar")
        column = pyvips.Image.new_from_array(down.reshape(-1, 1)).cast("uchar")
        return row.replicate(1, box.height).minpair(column.replicate(box.width, 1))
    painted = pyvips.Image.new_from_array(region.mask.astype(np.uint8) * 255)
    if feather <= 0:
        return painted
    # Blur, keep the upper half of the ramp (so it lies inside the edge), and never past the paint.
    margin = feather * 2
    blurred = painted.embed(margin, margin, box.width + 2 * margin, box.height + 2 * margin, extend="black")
    blurred = blurred.gaussblur(feather / 2, precision="integer").crop(margin, margin, box.width, box.height)
    inside = (blurred.cast("int") * 2 - 255).cast("uchar")  # the upper half of the blur, stretched to 0–255 (clipped)
    return inside.minpair(painted)


def _match(answer: pyvips.Image, source: pyvips.Image) -> pyvips.Image:
    """The answer in the source's bands and format (an alpha channel is the source's own)."""
    if answer.hasalpha():
        answer = answer.flatten(background=0)
    if source.bands in (1, 2) and answer.bands != 1:
        answer = answer.colourspace("b-w")[0]
    elif source.bands in (3, 4) and answer.bands == 1:
        answer = answer.bandjoin([answer, answer])
    if answer.format != "uchar":
        answer = answer.cast("uchar", shift=True)
    if source.format == "ushort":
        answer = answer.cast("ushort") * 257
    return answer


def composite(source: bytes | pyvips.Image, answer: bytes, plan_: Plan, *, feather: int = FEATHER_PX) -> bytes:
    """The source with the answer blended in over the region only, as PNG of the source's exact size.

    The answer (the model's picture of `plan_.covers`) is scaled to that box, and blended where the
    mask is above 0; everywhere else the source's own pixels are written, unchanged."""
    src = _load(source) if isinstance(source, bytes) else source
    region, covers, box = plan_.region, plan_.covers, plan_.region.box
    if (src.width, src.height) != (region.image_width, region.image_height):
        raise ValidationFailed(
            f"The source is {src.width}x{src.height}, not the {region.image_width}x{region.image_height} the region was drawn on.",
            field="region", code="source_changed",
        )
    picture = pyvips.Image.new_from_buffer(answer, "", access="sequential")  # read once, top to bottom
    scaled = picture.resize(covers.width / picture.width, vscale=covers.height / picture.height, kernel="lanczos3")
    if (scaled.width, scaled.height) != (covers.width, covers.height):  # rounding: one pixel either way
        scaled = scaled.embed(0, 0, covers.width, covers.height, extend="copy")
    patch = _match(scaled.crop(box.left - covers.left, box.top - covers.top, box.width, box.height), src)
    under = src.crop(box.left, box.top, box.width, box.height)
    alpha = alpha_mask(region, feather=feather)
    colour = under.extract_band(0, n=patch.bands) if under.bands > patch.bands else under
    if src.format == "uchar":  # integers: 255 scaled to 256, so a weight of 0 or 255 gives one side exactly
        weight = alpha.cast("ushort") + (alpha >> 7)
        blended = ((colour.cast("uint") * (256 - weight) + patch.cast("uint") * weight + 128) >> 8).cast("uchar")
    else:
        weight = alpha.cast("float") / 255
        blended = (colour.cast("float") * (1 - weight) + patch.cast("float") * weight).rint().cast(src.format)
    if under.bands > patch.bands:
        blended = blended.bandjoin(under.extract_band(patch.bands, n=under.bands - patch.bands))
    blended = (alpha > 0).ifthenelse(blended, under)  # where the weight is 0, the source's own bits
    return png_bytes(src.insert(blended, box.left, box.top))


