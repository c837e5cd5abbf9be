"""What a job asked for, so the copy is never typed twice: a campaign's `copy` / `copy_by_language`,
text in double quotes in the prompt, a translate job's target language; an upscale or edit without
copy of its own inherits its source's."""

from __future__ import annotations

import re

from apps.assets.models import Origin
from apps.checks.pixels import languages
from apps.checks.pixels.common import Expected
from apps.gemini import catalogue

QUOTED = re.compile(r'"([^"\n]{1,300})"|“([^”\n]{1,300})”')
FAULT = re.compile(r"\[fault:[^\]]*\]")
MAX_LINEAGE = 4


def quoted(prompt: str, *, names: set[str] = frozenset()) -> list[str]:
    """Each phrase in double quotes, in order, except names of the library entries the job references
    (`Feature the product "Bottle"` names a reference; it is not copy)."""
    phrases = []
    for match in QUOTED.finditer(FAULT.sub("", prompt or "")):
        phrase = (match.group(1) or match.group(2)).strip()
        if phrase and phrase not in names and phrase not in phrases:
            phrases.append(phrase)
    return phrases


# What a higher app expects of a job it made (a campaign's copy and language), registered from its
# AppConfig.ready(): a function of the generation giving an Expected, or None for a job not its own.
JOB_EXPECTATIONS: list = []


def expectation_register(expectation) -> None:
    if expectation not in JOB_EXPECTATIONS:
        JOB_EXPECTATIONS.append(expectation)


def _registered(generation) -> Expected | None:
    return next((found for found in (expectation(generation) for expectation in JOB_EXPECTATIONS) if found is not None), None)


def _from_generation(generation, depth: int) -> Expected:
    expected = _registered(generation)
    if expected is None:
        names = {ref.reference_image.entry.name for ref in generation.references.select_related("reference_image__entry")}
        copy = quoted(generation.prompt, names=names) or None
        expected = Expected(copy=copy, source="quoted in the prompt" if copy else "")
        if generation.target_language:
            expected.language = generation.target_language
        if copy is None and depth < MAX_LINEAGE and generation.kind != "translate":
            # An upscale, edit or variation keeps its source's words unless it asks for new ones.
            source = generation.sources.select_related("asset__generation").order_by("position").first()
            if source is not None and source.asset.generation_id:
                inherited = _from_generation(source.asset.generation, depth + 1)
                expected.copy, expected.source = inherited.copy, inherited.source and f"{inherited.source}, from the source image"
                expected.language = expected.language or inherited.language
        if expected.language is None and expected.copy:
            expected.language = languages.detect(" ".join(expected.copy))[0]
    return expected


def expected_for(asset) -> Expected:
    if asset.origin == Origin.UPLOAD or not asset.generation_id:
        return Expected()
    generation = asset.generation
    expected = _from_generation(generation, 0)
    if generation.aspect_ratio in catalogue.PIXELS_1K and generation.image_size in catalogue.SIZE_SCALE:
        expected.size = catalogue.pixel_size(generation.aspect_ratio, generation.image_size)
    return expected
