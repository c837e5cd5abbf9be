"""Normalising and comparing text: the copy check's diff and the terms check's matching."""

from __future__ import annotations

import difflib
import unicodedata

# Scripts written without spaces between words: compared character by character.
_NO_SPACE_RANGES = ((0x3040, 0x30FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0xFF66, 0xFF9F), (0x0E00, 0x0E7F))


def unspaced(char: str) -> bool:
    code = ord(char)
    return any(low <= code <= high for low, high in _NO_SPACE_RANGES)


def normalise(text: str) -> str:
    """NFKC, case-folded, punctuation and symbols dropped, one space between words, none around
    characters of scripts written without spaces (so OCR's spacing of Japanese does not count)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = [" " if unicodedata.category(c)[0] in "PSZC" else c for c in text]
    words = "".join(kept).split()
    out = ""
    for word in words:
        if out and not (unspaced(out[-1]) or unspaced(word[0])):
            out += " "
        out += word
    return out


def tokens(normalised: str) -> list[str]:
    """Words; each character of a no-space script is its own token."""
    out = []
    for word in normalised.split():
        buffer = ""
        for char in word:
            if unspaced(char):
                if buffer:
                    out.append(buffer)
                    buffer = ""
                out.append(char)
            else:
                buffer += char
        if buffer:
            out.append(buffer)
    return out


def similarity(a: str, b: str) -> float:
    return round(difflib.SequenceMatcher(None, a, b, autojunk=False).ratio(), 4)


def word_diff(expected: list[str], read: list[str]) -> list[dict]:
    """[{"op": equal|missing|extra|changed, "expected": [...], "read": [...]}] in reading order."""
    ops = {"equal": "equal", "delete": "missing", "insert": "extra", "replace": "changed"}
    return [
        {"op": ops[tag], "expected": expected[i1:i2], "read": read[j1:j2]}
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, expected, read, autojunk=False).get_opcodes()
    ]


def contains(haystack: str, needle: str) -> bool:
    """Whole-word (or, for no-space scripts, substring) match of normalised texts."""
    needle = normalise(needle)
    if not needle:
        return False
    if any(unspaced(c) for c in needle):
        return needle in haystack
    return f" {needle} " in f" {haystack} "
