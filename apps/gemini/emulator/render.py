"""Draws the emulator's answer: a real PNG of the exact catalogue size showing the prompt and inputs,
or (pre-rendered) a photo-like one made once per size."""

from __future__ import annotations

import hashlib
import io
import textwrap

from PIL import Image, ImageChops, ImageDraw, ImageFont

from apps.gemini.emulator import copy_render


def _colour(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return 40 + digest[0] % 150, 40 + digest[1] % 150, 40 + digest[2] % 150


def render_png(*, width: int, height: int, prompt: str, inputs: list[Image.Image], caption: str, request_text: str = "") -> bytes:
    """`request_text` (the turn's words, fault markers kept): when it quotes copy or asks for a
    translation, the copy is drawn for the brand checks to read instead; an upscale asking for no
    new words keeps its source's picture (copy_render.py)."""
    kept = copy_render.rerendered(width=width, height=height, request_text=request_text, inputs=inputs) if request_text else None
    if kept is not None:
        out = io.BytesIO()
        kept.save(out, format="PNG", compress_level=1)
        return out.getvalue()
    if request_text and copy_render.wants_copy(request_text):
        out = io.BytesIO()
        copy_render.render_copy(width=width, height=height, request_text=request_text, inputs=inputs, seed=caption).save(out, format="PNG", compress_level=1)
        return out.getvalue()
    image = Image.new("RGB", (width, height), _colour(prompt))
    draw = ImageDraw.Draw(image)
    unit = max(8, min(width, height) // 24)
    font = ImageFont.load_default(size=unit)
    small = ImageFont.load_default(size=max(8, unit // 2))

    # Input images as a strip of thumbnails along the bottom, so edits visibly carry their sources.
    if inputs:
        side = max(16, min(height // 4, width // (len(inputs) + 1)))
        x = unit
        for source in inputs:
            thumb = source.convert("RGB")
            thumb.thumbnail((side, side))
            image.paste(thumb, (x, height - side - unit // 2))
            x += thumb.width + unit // 2

    chars_per_line = max(10, int(width / (unit * 0.6)))
    lines = textwrap.wrap(prompt, chars_per_line)[: max(1, (height // 2) // (unit + 4))]
    y = unit
    for line in lines:
        draw.text((unit, y), line, fill=(255, 255, 255), font=font)
        y += unit + 4
    draw.text((unit, y + unit // 2), caption, fill=(230, 230, 230), font=small)

    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


def render_photo(*, width: int, height: int) -> bytes:
    """A picture whose PNG weighs what a photo's does (about 1.3 bytes a pixel, a real 4K answer is
    ~20 MB): smooth gradients under fine noise. A flat colour with text would compress to almost
    nothing and flatter every figure measured on it. Rendered once per size (--prerendered)."""
    channels = []
    for gradient in (Image.linear_gradient("L").rotate(90), Image.linear_gradient("L"), Image.radial_gradient("L")):
        noise = Image.effect_noise((width, height), 1)
        channels.append(ImageChops.add(gradient.resize((width, height)), noise, offset=-128))
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, format="PNG", compress_level=1)
    return out.getvalue()
