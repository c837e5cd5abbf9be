"""terms: the kit's required words present and forbidden ones absent, for the version's language
and for every language ("*")."""

from apps.checks.models import Outcome
from apps.checks.pixels.common import Context, result, unavailable
from apps.checks.pixels.text import contains, normalise

CHECK = "terms"


def run(ctx: Context) -> dict:
    terms = ctx.kit.terms or {}
    rules = [terms.get("*") or {}]
    if ctx.expected.language:
        rules.append(terms.get(ctx.expected.language) or {})
    required = [t for rule in rules for t in rule.get("required", [])]
    forbidden = [t for rule in rules for t in rule.get("forbidden", [])]
    if not required and not forbidden:
        return result(CHECK, Outcome.PASS, "The brand kit has no terms for this language.")
    reading = ctx.ocr
    if reading is None:
        return unavailable(CHECK, ctx.ocr_error)
    text = normalise(reading.text)
    missing = [t for t in required if not contains(text, t)]
    found = [t for t in forbidden if contains(text, t)]
    figures = {"required": required, "forbidden": forbidden, "missing": missing, "found": found}
    boxes = [line.box for line in reading.lines if any(contains(normalise(line.text), t) for t in found)]
    problems = ([f"required “{t}” is missing" for t in missing]) + [f"forbidden “{t}” is present" for t in found]
    if problems:
        return result(CHECK, Outcome.FAIL, "; ".join(problems).capitalize() + ".", figures, boxes)
    return result(CHECK, Outcome.PASS, "Required terms present, forbidden terms absent.", figures)
