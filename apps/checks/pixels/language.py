"""language: the text is in the language the version is for."""

from apps.checks.models import Outcome
from apps.checks.pixels import languages
from apps.checks.pixels.common import Context, result, unavailable
from apps.checks.pixels.text import normalise

CHECK = "language"
SURE = 0.8  # below this, a mismatch is a warning: short Latin texts are often ambiguous


def run(ctx: Context) -> dict:
    reading = ctx.ocr
    if reading is None:
        return unavailable(CHECK, ctx.ocr_error)
    expected = ctx.expected.language
    detected, confidence = languages.detect(reading.text)
    figures = {"expected": expected, "detected": detected, "confidence": confidence}
    if detected is None:
        return result(CHECK, Outcome.PASS, "No text to tell the language of.", figures)
    if expected is None:
        return result(CHECK, Outcome.PASS, f"The text reads as {languages.name(detected)}; no language was asked for.", figures)
    if detected == expected:
        return result(CHECK, Outcome.PASS, f"The text is in {languages.name(expected)}.", figures)
    if ctx.expected.copy and normalise(" ".join(ctx.expected.copy)) == normalise(reading.text):
        return result(CHECK, Outcome.PASS, f"The text is the approved {languages.name(expected)} copy.", figures)
    boxes = [line.box for line in reading.lines]
    message = f"The text reads as {languages.name(detected)}, but this version is for {languages.name(expected)}."
    script_differs = languages.script_of(detected) != languages.script_of(expected)
    return result(CHECK, Outcome.FAIL if script_differs or confidence >= SURE else Outcome.WARN, message, figures, boxes)
