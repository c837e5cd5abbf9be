"""All checks on one image, in the order that lets one use another's finding (the logo's box is
not text). A check that raises answers `unavailable` with the error: never `pass`."""

from __future__ import annotations

import logging
import time

from PIL import Image

from apps.checks.pixels import contrast, copytext, duplicate, language, logo, palette, size, spelling, terms
from apps.checks.pixels.common import Context, Expected, unavailable

logger = logging.getLogger(__name__)

CHECKS = ("copy", "spelling", "language", "terms", "palette", "logo", "contrast", "size", "near_duplicate")
ORDER = (
    ("size", size.run), ("logo", logo.run), ("copy", copytext.run), ("spelling", spelling.run), ("language", language.run),
    ("terms", terms.run), ("contrast", contrast.run), ("palette", palette.run),
)


def run_all(image: Image.Image, *, expected: Expected, kit, logos=(), duplicates=()) -> tuple[list[dict], str]:
    """(results in CHECKS order, the image's perceptual hash)."""
    image.load()
    ctx = Context(image=image if image.mode == "RGB" else image.convert("RGB"), expected=expected, kit=kit, logos=list(logos), duplicates=list(duplicates))
    results = {}
    for name, check in ORDER:
        results[name] = _guarded(name, check, ctx)
    phash = duplicate.phash(ctx.analysis_image)
    results["near_duplicate"] = _guarded("near_duplicate", lambda c: duplicate.run(c, phash), ctx)
    return [results[name] for name in CHECKS], phash


def _guarded(name, check, ctx) -> dict:
    started = time.process_time()
    try:
        answer = check(ctx)
    except Exception as exc:  # one broken check must not hide the others' results
        logger.exception("checks: %s raised", name)
        answer = unavailable(name, f"The check could not run: {type(exc).__name__}: {exc}")
    answer["figures"]["cpu_seconds"] = round(time.process_time() - started, 3)
    return answer
