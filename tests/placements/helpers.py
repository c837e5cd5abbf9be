"""Photo-like sources for placement tests: gradients with grain (JPEG compresses them as it would
a photograph, unlike a flat colour), optionally with a marked dot."""

import numpy as np
import pyvips

from apps.assets.images import inspect_generated
from apps.assets.models import Origin
from apps.assets.services import asset_create
from apps.assets.files import file_write
from apps.core.storage_keys import upload_key

DOT = (255, 0, 255)  # magenta: nothing else in the picture is


def photo_bytes(width: int, height: int, *, dot: tuple[float, float] | None = None, dot_radius: int = 0, seed: int = 7) -> bytes:
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    pixels = np.stack([x / width * 200 + 30, y / height * 180 + 40, (x + y) / (width + height) * 220 + 20], -1)
    pixels += rng.normal(0, 10, (height, width, 3)).astype(np.float32)
    pixels = np.clip(pixels, 0, 250).astype(np.uint8)
    if dot is not None:
        radius = dot_radius or max(6, min(width, height) // 100)
        cx, cy = int(dot[0] * width), int(dot[1] * height)
        pixels[max(0, cy - radius):cy + radius, max(0, cx - radius):cx + radius] = DOT
    return pyvips.Image.new_from_array(pixels).copy(interpretation="srgb").jpegsave_buffer(Q=90)


def photo_asset(project, width: int = 1024, height: int = 1024, *, user=None, **kwargs):
    image = inspect_generated(photo_bytes(width, height, **kwargs))
    key = upload_key(project_id=project.id, extension=image.extension)
    file_write(key, image.data)
    return asset_create(project=project, key=key, image=image, origin=Origin.UPLOAD, created_by=user)


def magenta_pixels(data: bytes) -> int:
    """How many pixels of the decoded file are (near) the dot's colour."""
    image = pyvips.Image.new_from_buffer(data, "")
    if image.hasalpha():
        image = image.flatten()
    r, g, b = image[0], image[1], image[2]
    mask = (r > 200) & (g < 70) & (b > 200)
    return int(mask.avg() / 255 * image.width * image.height)
