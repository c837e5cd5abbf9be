"""What every pixel check shares: the result shape, the reading context and the install hints."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from PIL import Image

from apps.checks.models import Outcome

OCR_MAX_SIDE = 1600  # a 4K image is read downscaled: headline text stays far above OCR's smallest size
ANALYSIS_MAX_SIDE = 1024  # colour and feature analysis


def result(check: str, outcome: str, message: str, figures: dict | None = None, boxes: list | None = None) -> dict:
    return {"check": check, "outcome": str(Outcome(outcome).value), "message": message, "figures": figures or {}, "boxes": boxes or []}


def unavailable(check: str, why: str) -> dict:
    return result(check, Outcome.UNAVAILABLE, why)


def scaled(image: Image.Image, max_side: int) -> tuple[Image.Image, float]:
    """The image no larger than max_side on its long side, and the factor back to full-size pixels."""
    scale = max(image.size) / max_side
    if scale <= 1:
        return image, 1.0
    return image.resize((round(image.width / scale), round(image.height / scale)), Image.Resampling.LANCZOS), scale


@dataclass
class Expected:
    """What the job asked for: the copy (one phrase per line, None: not known) and the language."""

    copy: list[str] | None = None
    language: str | None = None
    source: str = ""  # where the copy came from, for the message: "campaign copy (de)", "quoted in the prompt"
    size: tuple[int, int] | None = None  # (width, height) from the catalogue; None for uploads
    logo_required: bool | None = None  # the campaign's rule; None: the brand kit's


@dataclass
class Context:
    """One asset's reading: the pixels, what was expected, the kit, and what the checks found so far."""

    image: Image.Image
    expected: Expected
    kit: object  # BrandKit (or an unsaved one with the defaults)
    logos: list[Image.Image] = field(default_factory=list)  # the project's logo reference images
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)  # (asset id, review status, phash hex) to compare
    logo_box: list[int] | None = None  # set by the logo check; text inside it is the mark, not copy
    ocr_error: str | None = None

    @cached_property
    def analysis_image(self) -> Image.Image:
        return scaled(self.image, ANALYSIS_MAX_SIDE)[0]

    @cached_property
    def ocr(self):
        """The text read, once for all text checks (see pixels.ocr.read)."""
        from apps.checks.pixels import ocr

        try:
            return ocr.read(self.image, self.expected.language, exclude=self.logo_box)
        except ocr.OcrUnavailable as exc:
            self.ocr_error = str(exc)
            return None
