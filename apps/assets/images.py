"""Image bytes in and out: inspection, upload sanitising and thumbnails. Pure functions, no storage."""

from __future__ import annotations

import hashlib
import io
import threading
import warnings
from dataclasses import dataclass
from functools import cached_property
from typing import IO

import pyvips
from django.conf import settings
from PIL import Image, ImageCms, ImageOps, JpegImagePlugin

from apps.core.exceptions import ValidationFailed
from apps.core.uploads import too_large

MIME_BY_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSION_BY_MIME = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}

pyvips.block_untrusted_set(True)  # only the well-kept loaders (PNG, JPEG, WebP ...) may read a file
pyvips.cache_set_max(0)  # every thumbnail is of a different image: caching operations only holds memory
pyvips.concurrency_set(1)  # one thread per thumbnail: workers run as many at once as there are cores


@dataclass(frozen=True)
class StoredImage:
    """Bytes ready to store, with what the database records about them."""

    data: bytes
    mime_type: str
    width: int
    height: int

    @property
    def size_bytes(self) -> int:
        return len(self.data)

    @cached_property
    def sha256(self) -> str:  # tens of ms at 4K: once per image
        return hashlib.sha256(self.data).hexdigest()

    @property
    def extension(self) -> str:
        return EXTENSION_BY_MIME[self.mime_type]


def inspect_generated(data: bytes) -> StoredImage:
    """Trust the model's bytes only after Pillow has read their header."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            width, height = image.size
    except OSError as exc:
        raise ValidationFailed(f"The model returned bytes that are not an image: {exc}", code="invalid_output") from exc
    if fmt not in MIME_BY_FORMAT:
        raise ValidationFailed(f"The model returned an unsupported image format {fmt}.", code="invalid_output")
    return StoredImage(data=data, mime_type=MIME_BY_FORMAT[fmt], width=width, height=height)


def sanitize_upload(data: bytes, *, field: str = "image") -> StoredImage:
    """Validate an uploaded image by its content (never its name) and store only its pixels.

    Limits: settings.UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS, checked before the pixels are decoded,
    so a decompression bomb is refused without being expanded.

    Every upload is decoded and re-encoded, never stored as sent: whatever hides beside the pixels
    (bytes after PNG IEND or JPEG EOI, a ZIP or HTML appended to make a polyglot, text chunks,
    EXIF with GPS, XMP, comments) is not carried over, whatever shape it takes. Refusing
    "trailing data" instead would need a detector per format and per hiding place, and would
    refuse ordinary phone photos that append data after EOI. Kept: the format, the pixels (EXIF
    orientation applied), transparency, a parseable ICC profile; JPEGs keep their quantisation
    tables (so their quality), lossless WebPs stay lossless.
    """
    _refuse_past_byte_limit(len(data), field)
    if not data:
        raise ValidationFailed("The file is empty.", field=field, code="empty")
    max_pixels = settings.UPLOAD_MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit is checked below
            image = Image.open(io.BytesIO(data))
            fmt = image.format
            width, height = image.size
    except Image.DecompressionBombError as exc:
        raise ValidationFailed(
            f"The image has far too many pixels ({exc}); the limit is {max_pixels:,} pixels.",
            field=field, code="too_many_pixels", details={"limit": max_pixels},
        ) from exc
    except OSError as exc:
        raise ValidationFailed(
            "The file is not an image we can read. Upload a PNG, JPEG or WebP.", field=field, code="unsupported_type"
        ) from exc
    fmt = "JPEG" if fmt == "MPO" else fmt  # a phone JPEG with extra frames after EOI: keep the main picture
    if fmt not in MIME_BY_FORMAT:
        raise ValidationFailed(
            f"Images of type {fmt} are not accepted. Upload a PNG, JPEG or WebP.", field=field, code="unsupported_type"
        )
    if width * height > max_pixels:
        raise ValidationFailed(
            f"The image is {width}x{height} ({width * height:,} pixels); the limit is {max_pixels:,} pixels.",
            field=field, code="too_many_pixels", details={"limit": max_pixels, "value": width * height},
        )
    if getattr(image, "is_animated", False) and image.format != "MPO":
        raise ValidationFailed(
            "Animated images are not accepted. Upload a still PNG, JPEG or WebP.", field=field, code="unsupported_type"
        )
    with _DECODE_SLOTS:  # the pixels are the memory: at most UPLOAD_DECODES_AT_ONCE per process
        try:
            image.load()
        except (OSError, ValueError) as exc:
            raise ValidationFailed(f"The image is truncated or corrupt: {exc}", field=field, code="corrupt") from exc
        return _reencode(image, fmt, source=data)


_DECODE_SLOTS = threading.BoundedSemaphore(settings.UPLOAD_DECODES_AT_ONCE)


def _refuse_past_byte_limit(size: int, field: str) -> None:
    if size > settings.UPLOAD_MAX_BYTES:
        raise too_large(size=size, limit=settings.UPLOAD_MAX_BYTES, field=field)


def upload_read(upload, *, field: str = "image") -> bytes:
    """An uploaded file's bytes, refused (413) by its size before they are read. The upload
    handler already stopped anything past the limit; this holds for files built any other way."""
    _refuse_past_byte_limit(upload.size, field)
    return upload.read()


# What each format can store as is; anything else is converted to RGB(A) first.
_MODES_KEPT = {
    "PNG": ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"),
    "JPEG": ("L", "RGB"),
    "WEBP": ("RGB", "RGBA"),
}


def _reencode(image: Image.Image, fmt: str, *, source: bytes) -> StoredImage:
    """Fresh bytes from the decoded pixels; nothing from the original file but what is named here."""
    icc_profile = _parseable_icc(image.info.get("icc_profile"))
    transparency = image.info.get("transparency")
    jpeg_tables = _jpeg_quality(image) if fmt == "JPEG" else {}
    source_mode = image.mode

    ImageOps.exif_transpose(image, in_place=True)  # in place: a copy would double the decoded pixels
    if image.mode not in _MODES_KEPT[fmt]:
        has_alpha = "A" in image.getbands() or transparency is not None
        image = image.convert("RGBA" if has_alpha and fmt != "JPEG" else "RGB")
        transparency = None
    if source_mode == "CMYK":
        icc_profile = None  # a CMYK profile does not describe the RGB pixels we now hold
    image.info = {}  # nothing is carried over implicitly (Pillow's PNG writer would reuse info)

    options: dict = {"icc_profile": icc_profile} if icc_profile else {}
    if fmt == "PNG" and transparency is not None:
        options["transparency"] = transparency
    elif fmt == "JPEG":
        options.update(jpeg_tables or {"quality": 95})
    elif fmt == "WEBP":
        options.update({"lossless": True} if _webp_is_lossless(source) else {"quality": 95})
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return StoredImage(data=out.getvalue(), mime_type=MIME_BY_FORMAT[fmt], width=image.width, height=image.height)


def _parseable_icc(profile: bytes | None) -> bytes | None:
    """An ICC profile that littleCMS can read, or none: a colour profile, not a place for a payload."""
    if not profile:
        return None
    try:
        ImageCms.ImageCmsProfile(io.BytesIO(profile))
    except (OSError, ImageCms.PyCMSError, TypeError, ValueError):
        return None
    return profile


def _jpeg_quality(image: Image.Image) -> dict:
    """The original's quantisation tables and chroma subsampling: re-encoding at the quality it had."""
    tables = getattr(image, "quantization", None)
    if not tables or image.mode not in ("RGB", "L"):
        return {}
    sampling = JpegImagePlugin.get_sampling(image)
    return {"qtables": tables, **({"subsampling": sampling} if sampling >= 0 else {})}


def _webp_is_lossless(data: bytes) -> bool:
    """Whether the WebP's image chunk is VP8L (lossless) rather than VP8 (lossy)."""
    offset = 12
    while offset + 8 <= len(data):
        chunk, size = data[offset:offset + 4], int.from_bytes(data[offset + 4:offset + 8], "little")
        if chunk in (b"VP8 ", b"VP8L"):
            return chunk == b"VP8L"
        offset += 8 + size + (size & 1)
    return False


def make_thumbnail(source: IO[bytes], max_side: int | None = None) -> StoredImage:
    """A WebP no larger than max_side on its long edge, read from an open file as it streams.

    libvips decodes a PNG line by line and shrinks JPEG and WebP while decoding, so a 4K image
    costs about its decode time and half of Pillow's memory (bench/renditions.py). Every
    image reaching here was already read by Pillow (inspect_generated, sanitize_upload)."""
    max_side = max_side or settings.THUMBNAIL_MAX_SIDE
    stream = pyvips.SourceCustom()
    stream.on_read(source.read)
    try:
        image = pyvips.Image.thumbnail_source(stream, max_side, height=max_side, size="down")
        data = image.webpsave_buffer(Q=82, effort=4, keep=pyvips.enums.ForeignKeep.NONE)
    except pyvips.Error as exc:
        raise ValidationFailed(f"No thumbnail could be made of this image: {exc.message.strip()}", code="thumbnail_failed") from exc
    return StoredImage(data=data, mime_type="image/webp", width=image.width, height=image.height)
