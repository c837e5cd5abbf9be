"""size: the pixel size equals the catalogue's for the requested ratio and size."""

from apps.checks.models import Outcome
from apps.checks.pixels.common import Context, result

CHECK = "size"


def run(ctx: Context) -> dict:
    actual = list(ctx.image.size)
    if ctx.expected.size is None:
        return result(CHECK, Outcome.PASS, f"{actual[0]}×{actual[1]}; no size was requested (an upload).", {"actual": actual})
    expected = list(ctx.expected.size)
    figures = {"actual": actual, "expected": expected}
    if actual == expected:
        return result(CHECK, Outcome.PASS, f"{actual[0]}×{actual[1]}, as the model's catalogue says.", figures)
    return result(CHECK, Outcome.FAIL, f"The image is {actual[0]}×{actual[1]}; the catalogue says {expected[0]}×{expected[1]}.", figures)
