"""spelling: words the dictionary of the text's language does not know, with suggestions. Words of
the approved copy are accepted (brand and product names are in it)."""

from apps.checks.models import Outcome
from apps.checks.pixels import dictionaries, languages
from apps.checks.pixels.common import Context, result, unavailable
from apps.checks.pixels.text import normalise, tokens

CHECK = "spelling"


def _words(text: str) -> list[str]:
    """Words as written (case kept for Hunspell), without punctuation, numbers or single letters."""
    out = []
    for raw in text.split():
        word = "".join(c for c in raw if c.isalpha() or c in "'-’").strip("'-’")
        if len(word) > 1 and not any(c.isdigit() for c in raw):
            out.append(word)
    return out


def run(ctx: Context) -> dict:
    reading = ctx.ocr
    if reading is None:
        return unavailable(CHECK, ctx.ocr_error)
    words = _words(reading.text)
    if not words:
        return result(CHECK, Outcome.PASS, "No words to check.")
    approved = set(tokens(normalise(" ".join(ctx.expected.copy or []))))
    unknown_to_copy = [w for w in words if not all(t in approved for t in tokens(normalise(w)))]
    # The version's language, unless the text plainly is in another one (the language check says so):
    # then its spelling is judged in the language it is written in.
    language = ctx.expected.language
    detected, confidence = languages.detect(reading.text)
    if language is None or (detected and detected != language and confidence >= 0.9 and unknown_to_copy):
        language = detected
    if language is None:
        return unavailable(CHECK, "The text's language could not be told, so no dictionary could be chosen.")
    figures = {"language": language, "words": len(words)}
    try:
        wrong = dictionaries.check(language, unknown_to_copy)
    except dictionaries.NoDictionary as missing:
        if not unknown_to_copy and not missing.package:
            return result(CHECK, Outcome.PASS, f"No Hunspell dictionary exists for {languages.name(language)}; all the text is the approved copy.", figures)
        return unavailable(CHECK, str(missing))
    figures["misspelled"] = wrong
    boxes = [line.box for line in reading.lines if any(w["word"] in line.text for w in wrong)]
    if wrong:
        listed = ", ".join(f"“{w['word']}”" + (f" (did you mean {', '.join(w['suggestions'])}?)" if w["suggestions"] else "") for w in wrong[:5])
        return result(CHECK, Outcome.FAIL, f"{len(wrong)} word(s) not in the {languages.name(language)} dictionary: {listed}.", figures, boxes)
    if len(unknown_to_copy) < len(words):
        return result(CHECK, Outcome.PASS, f"Every word is the approved copy's or in the {languages.name(language)} dictionary.", figures)
    return result(CHECK, Outcome.PASS, f"Every word is in the {languages.name(language)} dictionary.", figures)
