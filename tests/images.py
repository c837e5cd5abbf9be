"""Real image bytes for tests, made with Pillow."""

import io

from PIL import Image


def image_bytes(width: int = 64, height: int = 48, fmt: str = "PNG", colour=(200, 40, 40), mode: str = "RGB", **save) -> bytes:
    image = Image.new(mode, (width, height), colour if mode in ("RGB", "RGBA") else 128)
    out = io.BytesIO()
    image.save(out, format=fmt, **save)
    return out.getvalue()


def open_image(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image
