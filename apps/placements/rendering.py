"""Pixels and bytes of a placement: crop around a focal point, scale to the exact size, convert to
sRGB with an embedded profile, and encode under a byte budget. Pure functions on libvips images;
no storage, no database.

A source is decoded once and every placement of it is cut from that (bench/placements.py)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import IO

import pyvips

from apps.core.exceptions import ValidationFailed
from apps.placements.catalogue import EXTENSION_BY_FORMAT, MIME_BY_FORMAT, Placement

logger = logging.getLogger(__name__)

MAX_SILENT_UPSCALE = 2.0  # past it, the placement says so
ATTENTION_SIDE = 256  # the attention crop looks at a copy this size: the point, not the detail
JPEG_QUALITY_MAX = 92
JPEG_QUALITY_FULL_CHROMA_MIN = 70  # below it, chroma subsampling costs less than quality
QUALITY_MIN = 30
KEEP_ICC = pyvips.enums.ForeignKeep.ICC
KEEP_ICC_AND_RESOLUTION = pyvips.enums.ForeignKeep.ICC | pyvips.enums.ForeignKeep.EXIF  # libvips writes dpi in EXIF
SOURCE_METADATA = ("exif-data", "xmp-data", "iptc-data", "ipct-data", "gif-comment", "png-comment-0-Comment")


class RenderFailed(ValidationFailed):
    """The placement cannot be made from this image (too large at the lowest quality, unreadable):
    asking again changes nothing, so 422 with the figures."""

    status_code = 422


@dataclass(frozen=True)
class Crop:
    """The part of the source kept (source pixels), and how much it is scaled to fit exactly."""

    left: int
    top: int
    width: int
    height: int
    scale: float

    def as_dict(self) -> dict:
        return {"left": self.left, "top": self.top, "width": self.width, "height": self.height, "scale": round(self.scale, 4)}


@dataclass
class Encoded:
    data: bytes
    format: str
    quality: int | None
    subsampling: str | None  # "4:4:4" or "4:2:0" for JPEG
    attempts: int

    @property
    def mime_type(self) -> str:
        return MIME_BY_FORMAT[self.format]

    @property
    def extension(self) -> str:
        return EXTENSION_BY_FORMAT[self.format]


@dataclass
class Rendered:
    image: pyvips.Image
    crop: Crop
    warnings: list[str] = field(default_factory=list)


def source_open(source: IO[bytes] | bytes) -> pyvips.Image:
    """Decode once into memory in sRGB (colour-managed when the file has a profile), alpha kept."""
    try:
        if isinstance(source, bytes):
            image = pyvips.Image.new_from_buffer(source, "", access="sequential")
        else:
            stream = pyvips.SourceCustom()
            stream.on_read(source.read)
            image = pyvips.Image.new_from_source(stream, "", access="sequential")
        image = to_srgb(image)
        return image.copy_memory()
    except pyvips.Error as exc:
        raise RenderFailed(f"The stored image could not be read: {exc.message.strip()}", code="placement_unreadable") from exc


def to_srgb(image: pyvips.Image) -> pyvips.Image:
    if image.get_typeof("icc-profile-data"):
        try:
            return image.icc_transform("srgb", embedded=True, intent="perceptual")
        except pyvips.Error:
            logger.info("an embedded ICC profile could not be applied; converting by interpretation")
    if image.interpretation not in ("srgb", "b-w") or image.format != "uchar":
        image = image.colourspace("srgb")
    if image.bands < 3:  # greyscale: channels want RGB
        image = image.colourspace("srgb")
    return image.cast("uchar") if image.format != "uchar" else image


def attention_point(image: pyvips.Image) -> tuple[float, float]:
    """Where libvips' attention measure (edges, skin tones, saturation) centres, normalised."""
    factor = min(1.0, ATTENTION_SIDE / max(image.width, image.height))
    small = image.resize(factor) if factor < 1 else image
    flat = small.flatten() if small.hasalpha() else small
    side_w, side_h = max(1, small.width // 2), max(1, small.height // 2)
    _, found = flat.smartcrop(side_w, side_h, interesting="attention", attention_x=True, attention_y=True)
    return (min(1.0, max(0.0, found["attention_x"] / small.width)), min(1.0, max(0.0, found["attention_y"] / small.height)))


def crop_for(source_width: int, source_height: int, width: int, height: int, focal: tuple[float, float]) -> Crop:
    """The largest window of the output's shape, centred on the focal point as far as the edges
    allow (so the point is always inside it), scaled to width × height."""
    scale = max(width / source_width, height / source_height)
    crop_w = min(source_width, max(1, round(width / scale)))
    crop_h = min(source_height, max(1, round(height / scale)))
    fx, fy = focal[0] * source_width, focal[1] * source_height
    left = int(min(max(0, round(fx - crop_w / 2)), source_width - crop_w))
    top = int(min(max(0, round(fy - crop_h / 2)), source_height - crop_h))
    return Crop(left=left, top=top, width=crop_w, height=crop_h, scale=scale)


def render(image: pyvips.Image, placement: Placement, focal: tuple[float, float]) -> Rendered:
    crop = crop_for(image.width, image.height, placement.width, placement.height, focal)
    warnings = []
    if crop.scale > MAX_SILENT_UPSCALE:
        warnings.append(
            f"Upscaled {crop.scale:.1f}× (more than {MAX_SILENT_UPSCALE:g}×): the source is {image.width}×{image.height}, "
            f"the placement {placement.width}×{placement.height}; generate at a larger size for a sharper result."
        )
    cut = image.crop(crop.left, crop.top, crop.width, crop.height)
    out = cut.resize(placement.width / crop.width, vscale=placement.height / crop.height, kernel="lanczos3")
    # Rounding in resize can leave a pixel more or less; the placement's size is exact or nothing.
    if (out.width, out.height) != (placement.width, placement.height):
        out = out.gravity("centre", placement.width, placement.height, extend="copy")
    out = out.copy()
    for name in SOURCE_METADATA:  # only what is written here goes into the file: sRGB profile, resolution
        if out.get_typeof(name):
            out.remove(name)
    if placement.dpi:
        per_mm = placement.dpi / 25.4
        out = out.copy(xres=per_mm, yres=per_mm)
        out.set_type(pyvips.GValue.gint_type, "placement-dpi", placement.dpi)
    return Rendered(image=out, crop=crop, warnings=warnings)


def _save(image: pyvips.Image, fmt: str, quality: int | None, subsampling: str | None) -> bytes:
    keep = KEEP_ICC_AND_RESOLUTION if image.get_typeof("placement-dpi") else KEEP_ICC
    if fmt == "JPEG":
        flat = image.flatten(background=[255, 255, 255]) if image.hasalpha() else image
        return flat.jpegsave_buffer(
            Q=quality, subsample_mode="off" if subsampling == "4:4:4" else "on", optimize_coding=True,
            keep=keep, profile="srgb",
        )
    if fmt == "PNG":
        if quality is None:
            return image.pngsave_buffer(compression=9, keep=keep, profile="srgb")
        return image.pngsave_buffer(compression=9, palette=True, Q=quality, keep=keep, profile="srgb")
    if fmt == "WEBP":
        return image.webpsave_buffer(Q=quality, effort=4, keep=keep, profile="srgb")
    if fmt == "GIF":
        return image.gifsave_buffer(effort=7, keep=keep, profile="srgb")
    raise ValueError(fmt)


def _search(image, fmt: str, subsampling: str | None, budget: int, high: int, low: int, tried: list) -> tuple[bytes, int] | None:
    """The highest quality in [low, high] whose bytes fit the budget (binary search; quality is
    monotonic enough in size for this), or None when even `low` does not."""
    best = None
    while low <= high:
        quality = (low + high) // 2
        data = _save(image, fmt, quality, subsampling)
        tried.append((fmt, quality, subsampling, len(data)))
        if len(data) <= budget:
            best, low = (data, quality), quality + 1
        else:
            high = quality - 1
    return best


def encode(image: pyvips.Image, placement: Placement, budget: int) -> Encoded:
    """The best file under `budget` bytes in the placement's formats, in its order of preference:
    JPEG at the highest quality with full chroma, then with 4:2:0 chroma; PNG lossless, then
    palette; WebP by quality; GIF as is. Fails naming the smallest it could make."""
    tried: list[tuple] = []
    for fmt in placement.formats:
        if fmt == "JPEG":
            data = _save(image, fmt, JPEG_QUALITY_MAX, "4:4:4")
            tried.append((fmt, JPEG_QUALITY_MAX, "4:4:4", len(data)))
            if len(data) <= budget:
                return Encoded(data, fmt, JPEG_QUALITY_MAX, "4:4:4", len(tried))
            for subsampling, floor in (("4:4:4", JPEG_QUALITY_FULL_CHROMA_MIN), ("4:2:0", QUALITY_MIN)):
                found = _search(image, fmt, subsampling, budget, JPEG_QUALITY_MAX - 1, floor, tried)
                if found:
                    return Encoded(found[0], fmt, found[1], subsampling, len(tried))
        elif fmt == "PNG":
            data = _save(image, fmt, None, None)
            tried.append((fmt, None, None, len(data)))
            if len(data) <= budget:
                return Encoded(data, fmt, None, None, len(tried))
            found = _search(image, fmt, None, budget, 100, QUALITY_MIN, tried)
            if found:
                return Encoded(found[0], fmt, found[1], None, len(tried))
        elif fmt == "WEBP":
            found = _search(image, fmt, None, budget, JPEG_QUALITY_MAX, QUALITY_MIN, tried)
            if found:
                return Encoded(found[0], fmt, found[1], None, len(tried))
        elif fmt == "GIF":
            data = _save(image, fmt, None, None)
            tried.append((fmt, None, None, len(data)))
            if len(data) <= budget:
                return Encoded(data, fmt, None, None, len(tried))
    smallest = min(tried, key=lambda t: t[3])
    how = f"{smallest[0]}" + (f" at quality {smallest[1]}" if smallest[1] is not None else "") + (f" with {smallest[2]} chroma" if smallest[2] else "")
    raise RenderFailed(
        f"{placement.label} ({placement.key}) cannot be made under its limit of {placement.max_bytes:,} bytes: "
        f"the smallest file was {smallest[3]:,} bytes ({how})"
        + (f", and its Content Credentials add {placement.max_bytes - budget:,} bytes" if budget < placement.max_bytes else "")
        + f"; {len(tried)} encodings tried in {', '.join(placement.formats)}. Allow more bytes, a smaller size or another format.",
        field="max_bytes", code="byte_limit_unreachable",
        details={"limit": placement.max_bytes, "smallest": smallest[3], "credentials_bytes": placement.max_bytes - budget, "attempts": len(tried)},
    )
