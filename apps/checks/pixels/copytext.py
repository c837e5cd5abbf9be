"""copy: the text read against the copy the job asked for, normalised, with a word-level diff."""

from apps.checks.models import Outcome
from apps.checks.pixels import ocr
from apps.checks.pixels.common import Context, result, unavailable
from apps.checks.pixels.text import normalise, similarity, tokens, word_diff

CHECK = "copy"


def run(ctx: Context) -> dict:
    reading = ctx.ocr
    if reading is None:
        return unavailable(CHECK, ctx.ocr_error)
    read = normalise(reading.text)
    boxes = [line.box for line in reading.lines]
    expected_copy = ctx.expected.copy
    if not expected_copy:
        if not read:
            return result(CHECK, Outcome.PASS, "No text expected, and none found.", {"expected": "", "read": ""})
        return result(
            CHECK, Outcome.PASS, "No copy was asked for; the text found is listed.", {"expected": "", "read": reading.text}, boxes
        )
    expected = normalise(" ".join(expected_copy))
    figures = {
        "expected": "\n".join(expected_copy),
        "read": reading.text,
        "source": ctx.expected.source,
        "similarity": similarity(expected, read),
        "diff": word_diff(tokens(expected), tokens(read)),
    }
    if expected != read and reading.lines:
        # A second, closer look at each line before calling it different: OCR misreads one character
        # of a small or unusual glyph now and then (質 as 買); a model's typo reads the same both times.
        closer = ocr.reread_lines(ctx.image, ctx.expected.language, reading)
        closer_read = normalise(closer.text)
        if similarity(expected, closer_read) > figures["similarity"]:
            ctx.ocr, reading, read = closer, closer, closer_read  # the text checks after this one use it too
            figures.update(read=closer.text, similarity=similarity(expected, read), diff=word_diff(tokens(expected), tokens(read)))
        figures["second_look"] = True
    if expected == read:
        return result(CHECK, Outcome.PASS, "The text reads exactly as the expected copy.", figures, boxes)
    if not read:
        return result(CHECK, Outcome.FAIL, f"Expected “{figures['expected']}”, but no text was found.", figures)
    changed = [d for d in figures["diff"] if d["op"] != "equal"]
    first = changed[0]
    detail = f"“{' '.join(first['read']) or '—'}” where “{' '.join(first['expected']) or '—'}” was expected"
    return result(
        CHECK, Outcome.FAIL,
        f"The text differs from the expected copy in {len(changed)} place(s), first {detail} (similarity {figures['similarity']:.0%}).",
        figures, boxes,
    )
