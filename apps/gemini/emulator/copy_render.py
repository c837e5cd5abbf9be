"""The emulator's picture when a request asks for words in the image: the copy drawn in a real font
in its language's script, on the house palette, with the house mark, so the platform's brand checks
can read it back, and markers that break exactly one thing each:

- `[fault:typo]` two letters of the copy swapped; `[fault:wronglanguage]` a phrase in another language
  instead of the copy; `[fault:offpalette]` the background in a colour far from the palette;
  `[fault:nologo]` no mark; `[fault:lowcontrast]` text in a colour close to the background.

What is drawn: the phrases in double quotes in the request (not the names its reference labels give:
`for the object "Bottle"` names a reference, it is not copy); a translation asked for without quoted
copy draws a stock phrase in the target language (the emulator cannot translate). The emulator knows
no brand kit: it always uses HOUSE_PALETTE and the mark of `mark_png()` — a test project whose kit
has that palette and that mark as its logo passes palette and logo. Input images (product and
character references) are pasted as the "product shot" in the lower part of the picture; a source image
(translate, upscale, edit) gives its lower part, below the text band, so a version keeps its picture.

Fonts: Debian's fonts-noto-core / fonts-noto-cjk (installed by bin/test), else DejaVu, else Pillow's
built-in font (Latin only): without root the picture still comes, in whatever script it can draw."""

from __future__ import annotations

import functools
import hashlib
import io
import os
import re
import unicodedata

from PIL import Image, ImageDraw, ImageFont

from apps.gemini.catalogue import LANGUAGES

HOUSE_PALETTE = [
    {"name": "Deep teal", "hex": "#0F5257", "role": "primary"},
    {"name": "White", "hex": "#FFFFFF", "role": "secondary"},
    {"name": "Sunset orange", "hex": "#F28C28", "role": "accent"},
]
BACKGROUND = (15, 82, 87)
TEXT = (255, 255, 255)
OFF_BACKGROUND = (194, 24, 91)  # magenta: ΔE2000 far above any tolerance from the house palette
LOW_CONTRAST_TEXT = (70, 130, 136)  # 2.0:1 on the background: under WCAG's 3:1 for large text, still read by OCR
ORANGE = (242, 140, 40)

FAULTS = ("typo", "wronglanguage", "offpalette", "nologo", "lowcontrast")
_FAULT = re.compile(r"\[fault:(typo|wronglanguage|offpalette|nologo|lowcontrast)\]")
_QUOTED = re.compile(r'"([^"\n]{1,300})"|“([^”\n]{1,300})”')
_REFERENCE_NAME = re.compile(r'for the (?:character|object|logo) "([^"\n]+)"')
_RERENDER = "Re-render the provided draft image at full resolution."
_TRANSLATE = re.compile(r"Translate every piece of text in the provided image into ([^.]+?)\. ")
_LABEL = re.compile(r"Source image(?: \d+ of \d+)?:|Reference image \d+ of \d+")
_CODES = {name: code for code, name in LANGUAGES.items()} | {"Hebrew": "he"}

STOCK = {
    "ar": "اكتشف المجموعة الجديدة الآن", "de": "Entdecken Sie jetzt die neue Kollektion", "en": "Discover the new collection now",
    "es": "Descubre ahora la nueva colección", "fr": "Découvrez la nouvelle collection", "he": "גלו עכשיו את הקולקציה החדשה",
    "hi": "नया संग्रह अभी देखें", "id": "Temukan koleksi baru sekarang", "it": "Scopri ora la nuova collezione",
    "ja": "新しいコレクションを今すぐチェック", "ko": "지금 새로운 컬렉션을 만나보세요", "nl": "Ontdek nu de nieuwe collectie",
    "pl": "Odkryj teraz nową kolekcję", "pt": "Descubra agora a nova coleção", "ru": "Откройте для себя новую коллекцию",
    "sv": "Upptäck den nya kollektionen nu", "th": "ค้นพบคอลเลกชันใหม่ได้แล้ววันนี้", "tr": "Yeni koleksiyonu şimdi keşfedin",
    "uk": "Відкрийте для себе нову колекцію", "vi": "Khám phá bộ sưu tập mới ngay", "zh": "立即探索全新系列",
}

_NOTO = "/usr/share/fonts/truetype/noto"
_CJK = "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc"
_FONTS = {  # script → (path, ttc index)
    # Regular Arabic: Tesseract reads Noto's bold Arabic at ~30% confidence.
    "ARABIC": (f"{_NOTO}/NotoSansArabic-Regular.ttf", 0), "HEBREW": (f"{_NOTO}/NotoSansHebrew-Bold.ttf", 0),
    "DEVANAGARI": (f"{_NOTO}/NotoSansDevanagari-Bold.ttf", 0), "THAI": (f"{_NOTO}/NotoSansThai-Bold.ttf", 0),
    "JAPANESE": (_CJK, 0), "HANGUL": (_CJK, 1), "CHINESE": (_CJK, 2),
}
_LATIN = [f"{_NOTO}/NotoSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"]


def wants_copy(request_text: str) -> bool:
    return bool(copy_for(request_text)[0])


def copy_for(request_text: str) -> tuple[list[str], str | None]:
    """(the phrases to draw, the target language of a translation or None)."""
    names = set(_REFERENCE_NAME.findall(request_text))
    plain = _FAULT.sub("", request_text)
    phrases = []
    for match in _QUOTED.finditer(plain):
        phrase = (match.group(1) or match.group(2)).strip()
        if phrase and phrase not in names and phrase not in phrases:
            phrases.append(phrase)
    translated = _TRANSLATE.search(request_text)
    language = _CODES.get(translated.group(1)) if translated else None
    if language and not phrases:
        phrases = [STOCK[language]]
    return phrases, language


def _script(text: str) -> str:
    names = [unicodedata.name(c, "") for c in text if c.isalpha()]
    if any(n.startswith(("HIRAGANA", "KATAKANA")) for n in names):
        return "JAPANESE"
    for script in ("ARABIC", "HEBREW", "DEVANAGARI", "THAI", "HANGUL"):
        if any(n.startswith(script) for n in names):
            return script
    if any(n.startswith("CJK") for n in names):
        return "CHINESE"
    return "LATIN"


@functools.lru_cache(maxsize=64)
def font(script: str, size: int) -> ImageFont.ImageFont:
    path, index = _FONTS.get(script, (None, 0))
    candidates = [(path, index)] if path else []
    candidates += [(p, 0) for p in _LATIN]
    for candidate, face in candidates:
        if candidate and os.path.exists(candidate):
            return ImageFont.truetype(candidate, size, index=face)
    return ImageFont.load_default(size=size)


def _typo(text: str) -> str:
    """Two neighbouring letters of the longest word swapped (a model's typical slip)."""
    words = text.split(" ")
    longest = max(range(len(words)), key=lambda i: len(words[i]))
    word = words[longest]
    if len(word) < 2:
        return text
    i = max(0, len(word) // 2 - 1)
    if word[i] == word[i + 1] and i + 2 < len(word):
        i += 1
    words[longest] = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return " ".join(words)


@functools.lru_cache(maxsize=1)
def mark() -> Image.Image:
    """The house mark: asymmetric shapes with many corners, so feature matching finds it at any size
    and angle (a plain circle or square has too few distinct points)."""
    side = 256
    image = Image.new("RGB", (side, side), ORANGE)
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 244, 244), outline=TEXT, width=8)
    draw.polygon([(36, 150), (84, 36), (132, 150)], fill=BACKGROUND)
    draw.ellipse((150, 36, 222, 108), fill=TEXT)
    draw.ellipse((176, 54, 200, 78), fill=BACKGROUND)
    draw.line([(30, 176), (58, 200), (86, 172), (114, 204), (142, 170), (170, 206), (198, 174), (226, 200)], fill=TEXT, width=7)
    for i, size in enumerate((10, 16, 8, 20, 12, 6)):  # a row of squares of different sizes
        x = 34 + i * 32
        draw.rectangle((x, 222 - size, x + size, 222), fill=BACKGROUND if i % 2 else TEXT)
    for row in range(3):  # a small checker
        for col in range(3):
            if (row + col) % 2 == 0:
                draw.rectangle((150 + col * 14, 122 + row * 14, 163 + col * 14, 135 + row * 14), fill=BACKGROUND)
    draw.polygon([(200, 124), (232, 140), (206, 160)], fill=TEXT)
    draw.rectangle((96, 96, 120, 104), fill=TEXT)
    return image


def mark_png() -> bytes:
    out = io.BytesIO()
    mark().save(out, format="PNG")
    return out.getvalue()


def rerendered(*, width: int, height: int, request_text: str, inputs: list[Image.Image]) -> Image.Image | None:
    """An upscale that asks for no new words answers its source's picture whole, words included, at
    the new size: what the model does with "keep its text exactly" (a translated draft stays translated)."""
    if _RERENDER not in request_text or wants_copy(request_text):
        return None
    sources = [image for label, image in zip(_LABEL.findall(request_text), inputs) if label.startswith("Source")]
    return sources[0].convert("RGB").resize((width, height), Image.Resampling.LANCZOS) if sources else None


def render_copy(*, width: int, height: int, request_text: str, inputs: list[Image.Image], seed: str) -> Image.Image:
    """The picture for a request that asks for copy (see the module's docstring)."""
    phrases, language = copy_for(request_text)
    faults = set(_FAULT.findall(request_text))
    if "wronglanguage" in faults:
        phrases = [STOCK["de" if language == "en" else "en"]]
    elif "typo" in faults:
        phrases = [_typo(phrases[0]), *phrases[1:]]
    background = OFF_BACKGROUND if "offpalette" in faults else BACKGROUND
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    short = min(width, height)
    jitter = hashlib.sha256(seed.encode()).digest()

    # Each input image follows its label: references (products, characters) first, then sources.
    labels = _LABEL.findall(request_text)
    sources = [image for label, image in zip(labels, inputs) if label.startswith("Source")]
    references = [image for label, image in zip(labels, inputs) if label.startswith("Reference")] if labels else list(inputs)
    if sources:
        # A translation, upscale or edit keeps its source's picture below the text band (its product
        # shot); the words and the mark are drawn anew.
        source = sources[0].convert("RGB")
        top = int(source.height * 0.45)
        lower = source.crop((0, top, source.width, source.height)).resize((width, height - int(height * 0.45)))
        image.paste(lower, (0, int(height * 0.45)))
    elif references:
        # The product shot: the references side by side in the lower part, placed a little differently per answer.
        # The composition follows the references' own pixels (a different product is a different
        # picture, not the same layout in another colour) and varies a little per answer.
        composition = hashlib.sha256(b"".join(r.convert("RGB").resize((8, 8)).tobytes() for r in references)).digest()
        area_h = int(height * 0.38)
        side = max(16, min(area_h, (width * 3 // 4) // len(references)))
        spare = max(0, width - side * len(references))
        x = spare * composition[1] // 255 + (jitter[0] - 128) * width // 4096
        y = height - side - short // 20 - (area_h - side) * composition[2] // 255 + (jitter[1] - 128) * height // 8192
        for reference in references:
            thumb = reference.convert("RGB")
            thumb.thumbnail((side, side))
            image.paste(thumb, (min(max(0, x), width - side), max(int(height * 0.5), min(y, height - side))))
            x += side

    if "nologo" not in faults:
        logo_side = max(32, short // 6)
        image.paste(mark().resize((logo_side, logo_side), Image.Resampling.LANCZOS), (width - logo_side - short // 24, short // 24))

    colour = LOW_CONTRAST_TEXT if "lowcontrast" in faults else TEXT
    y = short // 5
    for phrase in phrases:
        script = _script(phrase)
        size = max(12, short // 11)
        typeface = font(script, size)
        while size > 12 and draw.textlength(phrase, font=typeface) > width * 0.86:
            size = int(size * 0.9)
            typeface = font(script, size)
        text_width = draw.textlength(phrase, font=typeface)
        draw.text(((width - text_width) / 2, y), phrase, fill=colour, font=typeface)
        y += int(size * 1.5)
    return image
