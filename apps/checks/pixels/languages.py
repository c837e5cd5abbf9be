"""Which language a text is in: the script first (kana, Hangul, Arabic, Hebrew ... name one language),
then py3langid (its model ships inside the wheel) among the languages written in that script."""

from __future__ import annotations

import unicodedata
from collections import Counter
from functools import lru_cache

from apps.gemini.catalogue import LANGUAGES

NAMES = {**LANGUAGES, "he": "Hebrew"}
_SCRIPT_LANGUAGE = {"HIRAGANA": "ja", "KATAKANA": "ja", "HANGUL": "ko", "ARABIC": "ar", "HEBREW": "he", "THAI": "th", "DEVANAGARI": "hi"}
_CANDIDATES = {
    "LATIN": ["de", "en", "es", "fr", "id", "it", "nl", "pl", "pt", "sv", "tr", "vi"],
    "CYRILLIC": ["ru", "uk"],
}


def name(code: str | None) -> str:
    return NAMES.get(code or "", code or "unknown")


def scripts(text: str) -> Counter:
    counts = Counter()
    for char in text:
        if char.isalpha():
            label = unicodedata.name(char, "").split(" ")[0]
            counts["HAN" if label == "CJK" else label] += 1
    return counts


@lru_cache(maxsize=1)
def _identifier():
    """One identifier per process (about 80 MiB), narrowed once to every candidate language; a
    text's script then picks among them in `detect` without changing it (threads share it)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(sorted({code for codes in _CANDIDATES.values() for code in codes}))
    return identifier


def detect(text: str) -> tuple[str | None, float]:
    """(language code, confidence 0–1); (None, 0) when there are no letters."""
    counts = scripts(text)
    if not counts:
        return None, 0.0
    script = counts.most_common(1)[0][0]
    if counts["HIRAGANA"] or counts["KATAKANA"]:
        return "ja", 1.0
    if script in _SCRIPT_LANGUAGE:
        return _SCRIPT_LANGUAGE[script], 1.0
    if script == "HAN":
        return "zh", 0.9
    candidates = _CANDIDATES.get(script)
    if not candidates:
        return None, 0.0
    ranked = [(code, float(p)) for code, p in _identifier().rank(text) if code in candidates]
    total = sum(p for _, p in ranked) or 1.0
    code, probability = max(ranked, key=lambda pair: pair[1])
    return code, round(probability / total, 3)


def script_of(code: str) -> str:
    for script, language in _SCRIPT_LANGUAGE.items():
        if language == code:
            return script
    if code == "zh":
        return "HAN"
    return next((script for script, languages in _CANDIDATES.items() if code in languages), "LATIN")
