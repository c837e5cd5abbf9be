"""The platform's own PNG writer: what it writes decodes to exactly the pixels it was given."""

import numpy as np
import pyvips
import pytest

from apps.assets.png import STRIP_ROWS, png_bytes


@pytest.mark.parametrize("bands", [1, 2, 3, 4])
def test_written_png_decodes_to_the_same_pixels_in_every_band_layout(bands):
    rng = np.random.default_rng(bands)
    pixels = rng.integers(0, 256, size=(STRIP_ROWS * 2 + 7, 301, bands), dtype=np.uint8)  # strips and a remainder
    image = pyvips.Image.new_from_array(pixels, interpretation="b-w" if bands < 3 else "srgb")

    data = png_bytes(image)

    back = pyvips.Image.new_from_buffer(data, "")
    assert (back.width, back.height, back.bands) == (301, STRIP_ROWS * 2 + 7, bands)
    assert np.array_equal(back.numpy().reshape(pixels.shape), pixels)


def test_the_icc_profile_is_kept():
    image = pyvips.Image.black(40, 30, bands=3).copy(interpretation="srgb").icc_transform("srgb", embedded=False)
    image = image.cast("uchar")

    back = pyvips.Image.new_from_buffer(png_bytes(image), "")

    assert back.get_typeof("icc-profile-data")
    assert back.get("icc-profile-data") == image.get("icc-profile-data")


def test_sixteen_bit_images_go_through_libvips_and_keep_their_depth():
    image = (pyvips.Image.black(20, 10, bands=3) + 40000).cast("ushort").copy(interpretation="rgb16")

    back = pyvips.Image.new_from_buffer(png_bytes(image), "")

    assert back.format == "ushort" and back.max() == 40000
