"""Reading text: Tesseract (Debian's `tesseract-ocr` and its language packs) on a downscaled copy.

Why not an OCR wheel: rapidocr's bundled PP-OCR models (Chinese + English) read "Größe für" as
"GroBe fur" and have no kana; Debian's packs read every script the platform translates into.
The binary runs one thread per call (OMP_THREAD_LIMIT=1): the checks queue parallelises by process."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache

from PIL import Image

from apps.checks.pixels.common import OCR_MAX_SIDE, scaled
from apps.checks.pixels.text import normalise, unspaced

# Platform language code → Tesseract traineddata (Debian package tesseract-ocr-<name with - for _>).
TESSERACT_LANGS = {
    "ar": "ara", "de": "deu", "en": "eng", "es": "spa", "fr": "fra", "he": "heb", "hi": "hin", "id": "ind",
    "it": "ita", "ja": "jpn", "ko": "kor", "nl": "nld", "pl": "pol", "pt": "por", "ru": "rus", "sv": "swe",
    "th": "tha", "tr": "tur", "uk": "ukr", "vi": "vie", "zh": "chi_sim",
}
MIN_CONFIDENCE = 40  # Tesseract's per-word confidence (0–100); below it, a shape is not taken as text
TIMEOUT_SECONDS = 60


class OcrUnavailable(Exception):
    pass


@dataclass
class Line:
    text: str
    box: list[int]  # [x, y, w, h] in full-size pixels
    confidence: float


@dataclass
class Reading:
    lines: list[Line]
    languages: str  # the packs used, e.g. "deu+eng"

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)


def package_for(traineddata: str) -> str:
    return f"tesseract-ocr-{traineddata.replace('_', '-').lower()}"


@lru_cache(maxsize=1)
def installed_languages() -> frozenset[str]:
    """The traineddata Tesseract has (asked once per process); empty when the binary is missing."""
    binary = shutil.which("tesseract")
    if not binary:
        return frozenset()
    listing = subprocess.run([binary, "--list-langs"], capture_output=True, text=True, timeout=TIMEOUT_SECONDS)
    return frozenset(line.strip() for line in (listing.stdout + listing.stderr).splitlines()[1:] if line.strip())


def packs_for(language: str | None) -> list[str]:
    """The image's language only: a second pack doubles the time and misreads umlauts ("Baume")
    more often; every pack also reads Latin letters, so a wrong-language version is still read."""
    return [TESSERACT_LANGS.get(language or "en", "eng")]


def read(image: Image.Image, language: str | None, *, exclude: list[int] | None = None) -> Reading:
    """Lines of text with boxes; words inside `exclude` (the logo's box) are left out."""
    installed = installed_languages()
    if not installed:
        raise OcrUnavailable("Tesseract is not installed: apt-get install tesseract-ocr " + " ".join(package_for(p) for p in packs_for(language)))
    missing = [p for p in packs_for(language) if p not in installed]
    if missing:
        raise OcrUnavailable(f"Tesseract has no {', '.join(missing)} language data: apt-get install {' '.join(package_for(p) for p in missing)}")
    small, factor = scaled(image, OCR_MAX_SIDE)
    png = io.BytesIO()
    small.save(png, format="PNG", compress_level=1)
    languages = "+".join(packs_for(language))
    run = subprocess.run(
        [shutil.which("tesseract"), "stdin", "stdout", "-l", languages, "--oem", "1", "--psm", "6", "tsv"],
        input=png.getvalue(), capture_output=True, timeout=TIMEOUT_SECONDS, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
    )
    if run.returncode != 0:
        raise OcrUnavailable(f"Tesseract failed: {run.stderr.decode(errors='replace')[-300:]}")
    return Reading(_lines(run.stdout.decode("utf-8", errors="replace"), factor, exclude), languages)


LINE_HEIGHT = 80  # pixels a line is scaled to for a second look


def reread_lines(image: Image.Image, language: str | None, reading: Reading) -> Reading:
    """A closer look: each line read again on its own (a crop at full resolution, scaled to
    LINE_HEIGHT, one line per page). Costs a Tesseract run per line, so it is only asked for when the
    page's reading disagrees with the expected copy; a real typo reads the same both ways."""
    languages = "+".join(packs_for(language))
    lines = []
    for line in reading.lines:
        x, y, w, h = line.box
        pad = max(4, int(h * 0.4))
        crop = image.crop((max(0, x - pad), max(0, y - pad), min(image.width, x + w + pad), min(image.height, y + h + pad)))
        factor = LINE_HEIGHT / max(1, h)
        crop = crop.resize((max(1, round(crop.width * factor)), max(1, round(crop.height * factor))), Image.Resampling.LANCZOS)
        png = io.BytesIO()
        crop.save(png, format="PNG", compress_level=1)
        run = subprocess.run(
            [shutil.which("tesseract"), "stdin", "stdout", "-l", languages, "--oem", "1", "--psm", "7", "tsv"],
            input=png.getvalue(), capture_output=True, timeout=TIMEOUT_SECONDS, env={**os.environ, "OMP_THREAD_LIMIT": "1"},
        )
        found = _lines(run.stdout.decode("utf-8", errors="replace"), 1.0, None) if run.returncode == 0 else []
        text = " ".join(part.text for part in found)
        lines.append(Line(text, line.box, min((part.confidence for part in found), default=0.0)) if text else line)
    return Reading(lines, languages)


def _inside(box: list[int], outer: list[int] | None) -> bool:
    if not outer:
        return False
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    return outer[0] <= cx <= outer[0] + outer[2] and outer[1] <= cy <= outer[1] + outer[3]


def _lines(tsv: str, factor: float, exclude: list[int] | None) -> list[Line]:
    grouped: dict[tuple, list[tuple[str, list[int], float]]] = {}
    for row in csv.DictReader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE):
        if row.get("level") != "5":
            continue
        word, confidence = (row.get("text") or "").strip(), float(row.get("conf") or -1)
        if not word or confidence < MIN_CONFIDENCE or not normalise(word):
            continue
        box = [round(int(row[k]) * factor) for k in ("left", "top", "width", "height")]
        if _inside(box, exclude):
            continue
        grouped.setdefault((row["block_num"], row["par_num"], row["line_num"]), []).append((word, box, confidence))
    lines = []
    for words in grouped.values():
        text = ""
        for word, _, _ in words:
            if text and not (unspaced(text[-1]) and unspaced(word[0])):
                text += " "
            text += word
        left = min(b[0] for _, b, _ in words)
        top = min(b[1] for _, b, _ in words)
        right = max(b[0] + b[2] for _, b, _ in words)
        bottom = max(b[1] + b[3] for _, b, _ in words)
        lines.append(Line(text, [left, top, right - left, bottom - top], round(sum(c for *_, c in words) / len(words), 1)))
    lines.sort(key=lambda line: (line.box[1], line.box[0]))
    return lines
