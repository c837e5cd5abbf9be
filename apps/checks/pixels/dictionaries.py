"""Hunspell dictionaries from Debian's hunspell-* packages, read by chunspell (the Hunspell C++
library inside its wheel), loaded once per process and language. spylls (pure Python) was measured
first: 2–5 s of CPU per suggestion in German, against 0.1–0.3 s here."""

from __future__ import annotations

import os
import threading
from functools import lru_cache

HUNSPELL_DIRS = ("/usr/share/hunspell", "/usr/share/myspell/dicts", "/usr/share/myspell")
# Platform language code → (dictionary file stem, Debian package).
DICTIONARIES = {
    "ar": ("ar", "hunspell-ar"), "de": ("de_DE", "hunspell-de-de"), "en": ("en_US", "hunspell-en-us"),
    "es": ("es_ES", "hunspell-es"), "fr": ("fr_FR", "hunspell-fr"), "he": ("he_IL", "hunspell-he"),
    "hi": ("hi_IN", "hunspell-hi"), "id": ("id_ID", "hunspell-id"), "it": ("it_IT", "hunspell-it"),
    "ko": ("ko_KR", "hunspell-ko"), "nl": ("nl", "hunspell-nl"), "pl": ("pl_PL", "hunspell-pl"),
    "pt": ("pt_PT", "hunspell-pt-pt"), "ru": ("ru_RU", "hunspell-ru"), "sv": ("sv_SE", "hunspell-sv"),
    "tr": ("tr_TR", "hunspell-tr"), "uk": ("uk_UA", "hunspell-uk"), "vi": ("vi_VN", "hunspell-vi"),
}
_lock = threading.Lock()


class NoDictionary(Exception):
    """`package` is the Debian package to install, or empty when none exists for the language."""

    def __init__(self, message: str, package: str = ""):
        super().__init__(message)
        self.package = package


def _path(stem: str) -> str | None:
    for folder in HUNSPELL_DIRS:
        if os.path.exists(os.path.join(folder, stem + ".dic")) and os.path.exists(os.path.join(folder, stem + ".aff")):
            return os.path.join(folder, stem)
    return None


def dictionary(language: str):
    """The spylls Dictionary for the language; raises NoDictionary saying what to install."""
    if language not in DICTIONARIES:
        raise NoDictionary(f"There is no Hunspell dictionary for {language}.")
    stem, package = DICTIONARIES[language]
    path = _path(stem)
    if path is None:
        raise NoDictionary(f"The {language} Hunspell dictionary is not installed: apt-get install {package}", package)
    with _lock:  # Hunspell objects are not thread-safe; a threads pool shares one per language
        return _load(path)


@lru_cache(maxsize=8)
def _load(path: str):
    import hunspell

    return hunspell.Hunspell(os.path.basename(path), hunspell_data_dir=os.path.dirname(path))


def check(language: str, words: list[str], *, suggestions: int = 3) -> list[dict]:
    """[{"word", "suggestions"}] for the words the dictionary does not know."""
    speller = dictionary(language)
    wrong = []
    with _lock:
        for word in words:
            if not speller.spell(word):
                wrong.append({"word": word, "suggestions": list(speller.suggest(word)[:suggestions])})
    return wrong
