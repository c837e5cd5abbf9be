"""Image bytes in and out: inspection, upload sanitising and thumbnails. Pure functions, no storage."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.conf import settings
from PIL import Image, ImageOps

from apps.core.exceptions import ValidationFailed

MIME_BY_FORMAT = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
EXTENSION_BY_MIME = {"image/png": "png", "image/jpeg": "jpg", "image/webp": "webp"}
THUMBNAIL_SPEC = "thumb"


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

    @property
    def sha256(self) -> str:
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
    """Validate an uploaded image by its content (never its name) and drop its metadata.

    Limits: settings.UPLOAD_MAX_BYTES and UPLOAD_MAX_PIXELS, checked before the pixels are decoded,
    so a decompression bomb is refused without being expanded. EXIF orientation is applied and
    metadata (including location) is not kept.
    """
    limit = settings.UPLOAD_MAX_BYTES
    if len(data) > limit:
        raise ValidationFailed(
            f"The file is {len(data):,} bytes; the limit is {limit:,} bytes.",
            field=field, code="too_large", details={"limit": limit, "value": len(data)},
        )
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
    if fmt not in MIME_BY_FORMAT:
        raise ValidationFailed(
            f"Images of type {fmt} are not accepted. Upload a PNG, JPEG or WebP.", field=field, code="unsupported_type"
        )
    if width * height > max_pixels:
        raise ValidationFailed(
            f"The image is {width}x{height} ({width * height:,} pixels); the limit is {max_pixels:,} pixels.",
            field=field, code="too_many_pixels", details={"limit": max_pixels, "value": width * height},
        )
    try:
        image.load()
    except (OSError, ValueError) as exc:
        raise ValidationFailed(f"The image is truncated or corrupt: {exc}", field=field, code="corrupt") from exc

    exif = image.getexif()
    has_metadata = bool(exif) or any(key in image.info for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile"))
    if not has_metadata and image.mode in ("RGB", "RGBA", "L", "LA", "P"):
        return StoredImage(data=data, mime_type=MIME_BY_FORMAT[fmt], width=width, height=height)

    # Re-encode: applies orientation, normalises the mode, and leaves all metadata behind.
    image = ImageOps.exif_transpose(image)
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
    out = io.BytesIO()
    if fmt == "JPEG":
        image.convert("RGB").save(out, format="JPEG", quality=95)
    else:
        image.save(out, format=fmt)
    return StoredImage(data=out.getvalue(), mime_type=MIME_BY_FORMAT[fmt], width=image.width, height=image.height)


def make_thumbnail(data: bytes, max_side: int | None = None) -> StoredImage:
    """A WebP no larger than max_side on its long edge. `draft` and `reduce` let Pillow decode
    JPEGs at a fraction of the size and shrink by integer factors before the final resample."""
    max_side = max_side or settings.THUMBNAIL_MAX_SIDE
    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (max_side, max_side))  # JPEG: decode at 1/2..1/8 scale
        image.load()
        factor = max(image.size) // (2 * max_side)
        if factor > 1:
            image = image.reduce(factor)  # cheap box shrink, keeps 2x headroom for the final resample
        ImageOps.exif_transpose(image, in_place=True)
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() or "transparency" in image.info else "RGB")
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        out = io.BytesIO()
        image.save(out, format="WEBP", quality=82, method=4)
        return StoredImage(data=out.getvalue(), mime_type="image/webp", width=image.width, height=image.height)
