"""contrast: the WCAG 2.1 ratio of each text line's colour against the background behind it."""

import cv2
import numpy as np

from apps.checks.models import Outcome
from apps.checks.pixels import colours
from apps.checks.pixels.common import Context, result, unavailable

CHECK = "contrast"
LARGE_TEXT_SHARE = 0.03  # a line at least 3% of the shorter side tall is "large text" (WCAG: 24 px on a ~800 px screen)


def text_and_background(pixels: np.ndarray) -> tuple[tuple, tuple]:
    """Two clusters of a line's pixels: the larger is the background; the text colour is the median of
    the half of the smaller cluster farthest from it (anti-aliased edges would pull it towards it)."""
    data = pixels.reshape(-1, 3).astype(np.float32)
    criteria = (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 20, 1.0)
    _, labels, centres = cv2.kmeans(data, 2, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    labels = labels.ravel()
    background_label = int(np.bincount(labels, minlength=2).argmax())
    background = np.median(data[labels == background_label], axis=0)
    text = data[labels != background_label]
    if len(text) == 0:
        return tuple(background), tuple(background)
    distance = np.linalg.norm(text - background, axis=1)
    far = text[distance >= np.median(distance)]
    return tuple(np.median(far, axis=0)), tuple(background)


def run(ctx: Context) -> dict:
    reading = ctx.ocr
    if reading is None:
        return unavailable(CHECK, ctx.ocr_error)
    if not reading.lines:
        return result(CHECK, Outcome.PASS, "No text to measure.")
    short_side = min(ctx.image.size)
    lines, failing = [], []
    for line in reading.lines:
        x, y, w, h = line.box
        pad = max(2, h // 5)
        crop = ctx.image.crop((max(0, x - pad), max(0, y - pad), x + w + pad, y + h + pad))
        step = max(1, int(max(crop.size) / 200))  # about 200 px across is plenty for two colours
        text_rgb, background_rgb = text_and_background(np.asarray(crop)[::step, ::step])
        ratio = colours.contrast(text_rgb, background_rgb)
        large = h >= LARGE_TEXT_SHARE * short_side
        minimum = ctx.kit.min_contrast_large if large else ctx.kit.min_contrast
        entry = {"text": line.text, "box": line.box, "ratio": ratio, "minimum": minimum, "large": large,
                 "text_colour": colours.to_hex(text_rgb), "background": colours.to_hex(background_rgb)}
        lines.append(entry)
        if ratio < minimum:
            failing.append(entry)
    figures = {"lines": lines, "lowest": min(e["ratio"] for e in lines)}
    if failing:
        worst = min(failing, key=lambda e: e["ratio"])
        return result(
            CHECK, Outcome.FAIL,
            f"{len(failing)} text line(s) below the minimum contrast; “{worst['text']}” is {worst['ratio']}:1, at least {worst['minimum']}:1 is needed.",
            figures, [e["box"] for e in failing],
        )
    return result(CHECK, Outcome.PASS, f"Every text line has enough contrast (lowest {figures['lowest']}:1).", figures)
