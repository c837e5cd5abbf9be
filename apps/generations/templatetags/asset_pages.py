"""Words the pages use for assets and jobs: what a person calls them, not the field values."""

import json

from django import template
from django.utils import timezone

from apps.gemini import catalogue, kinds
from apps.generations.models import VARIATION, is_variation

register = template.Library()

# Where the pages name a kind differently from the kinds table (apps/gemini/kinds.py), and the two
# kinds only the pages know: a generate job made from an asset is a variation; an upload has no job.
PAGE_KIND_LABELS = {"generate": "Generated", "variation": "Variation", "translate": "Translation",
                    "compose": "Composition", "upload": "Upload"}


def kind_name(kind: str) -> str:
    if kind in PAGE_KIND_LABELS:
        return PAGE_KIND_LABELS[kind]
    try:
        return kinds.get_kind(kind).label
    except KeyError:
        return kind


def page_kinds() -> list[tuple[str, str]]:
    """Every kind a gallery can filter by, as the pages name them: the table's kinds plus the derived two."""
    names = ["generate", "variation", *[kind.name for kind in kinds.KINDS if kind.name != "generate"], "upload"]
    return [(name, kind_name(name)) for name in names]
RELATION_LABELS = {"edited_from": "edit of", "translated_from": "translation of", "upscaled_from": "upscale of",
                   "composed_from": "made from", "variation_of": "variation of", "references": "uses"}
# The same edges read from the other end, under an ancestor: what it was the source of.
SOURCE_LABELS = {"edited_from": "source of an edit", "translated_from": "source of a translation", "upscaled_from": "source of an upscale",
                 "composed_from": "source", "variation_of": "first variation", "references": "used"}
# A retry in progress, in words for the person waiting (the job keeps the technical reason).
RETRY_REASONS = {"rate_limited": "The image service is busy", "timeout": "The image service was slow to answer",
                 "upstream_unavailable": "The image service was unavailable"}


def derived_kind(asset) -> str:
    job = asset.generation if asset.generation_id else None
    if job is None:
        return "upload"
    if is_variation(job, from_asset=getattr(asset, "made_from_asset", None)):
        return VARIATION
    return job.kind


@register.filter
def kind_label(asset) -> str:
    """E.g. "Translation → Japanese", "Upscale 2K", "Variation"."""
    kind = derived_kind(asset)
    label = kind_name(kind)
    job = asset.generation
    if kind == "translate" and job.target_language:
        return f"{label} → {catalogue.LANGUAGES.get(job.target_language, job.target_language)}"
    if kind == "upscale":
        return f"{label} {job.image_size}"
    return label


@register.filter
def job_kind_label(job) -> str:
    kind = VARIATION if is_variation(job) else job.kind
    label = kind_name(kind)
    if kind == "translate" and job.target_language:
        return f"{label} → {catalogue.LANGUAGES.get(job.target_language, job.target_language)}"
    return label


@register.filter
def relation_label(relation: str) -> str:
    return RELATION_LABELS.get(relation, relation.replace("_", " "))


@register.filter
def source_label(relation: str) -> str:
    return SOURCE_LABELS.get(relation, relation.replace("_", " "))


@register.filter
def language_name(code: str) -> str:
    return catalogue.LANGUAGES.get(code, code)


@register.filter
def elapsed(job) -> str:
    """Seconds (or minutes) since the job was asked for, e.g. "12 s", "2 min 5 s"."""
    seconds = int((timezone.now() - job.created_at).total_seconds())
    return f"{seconds} s" if seconds < 60 else f"{seconds // 60} min {seconds % 60} s"


@register.filter
def retry_note(job) -> str:
    """"The image service is busy; trying again (attempt 2 of 5)." for a job waiting to retry."""
    from django.conf import settings

    reason = RETRY_REASONS.get(job.error_code, "Something went wrong")
    return f"{reason}; trying again automatically (attempt {job.attempts + 1} of {settings.GENERATION_MAX_ATTEMPTS})."


@register.filter
def ratio_box(job) -> str:
    """The job's aspect ratio as CSS class-safe text ("4:5" → "r4x5") for a placeholder of its shape."""
    return "r" + job.aspect_ratio.replace(":", "x")


@register.filter
def placeholders(job) -> range:
    """One placeholder per image the job has still to make."""
    return range(max(0, job.count - len(job.assets.all())))


@register.filter
def region_json(region: dict) -> str:
    """A region edit's region ({"x", "y", "w", "h"}) for data-region-outline (pins.js), in that
    order whatever the database keeps (PostgreSQL's jsonb sorts keys)."""
    return json.dumps({key: region[key] for key in ("x", "y", "w", "h")})
