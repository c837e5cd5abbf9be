"""Job intake: a request parsed into `GenerationInput`, checked against the project, the kinds
table and the catalogue (`generation_prepare`, nothing written), the monthly budget under the
project row lock, then stored `queued` with its exact sources and reference images and handed to
its delivery on commit (apps/generations/dispatch.py). One job or a campaign stage's hundreds go
the same way; the same Idempotency-Key with the same body returns the first job.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.assets.models import Asset
from apps.core.exceptions import BudgetExceeded, Conflict, ValidationFailed
from apps.gemini import catalogue, kinds, prompts
from apps.gemini.checks import ImageSettings, check_image_settings, resolve_model
from apps.generations import deliveries
from apps.generations.dispatch import dispatch
from apps.generations.models import (
    Delivery,
    Generation,
    GenerationReference,
    GenerationSource,
    Kind,
)
from apps.generations.selectors import spend_this_month
from apps.library.models import EntryKind, LibraryEntry
from apps.projects.models import Project


@dataclass
class GenerationInput:
    """A create request after parsing, before checks against the project and catalogue."""

    kind: str = Kind.GENERATE
    prompt: str = ""
    model: str | None = None
    aspect_ratio: str | None = None
    image_size: str | None = None
    thinking_level: str | None = None
    web_search: bool = False
    image_search: bool = False
    characters: list = field(default_factory=list)
    objects: list = field(default_factory=list)
    source_assets: list = field(default_factory=list)
    target_language: str = ""
    count: int = 1
    delivery: str = Delivery.INTERACTIVE
    kind_input: dict = field(default_factory=dict)  # what a kind's own intake adds (a region edit's region), fingerprinted

    def fingerprint(self) -> str:
        body = json.dumps({k: [str(v) for v in val] if isinstance(val, list) else val for k, val in vars(self).items()}, sort_keys=True)
        return hashlib.sha256(body.encode()).hexdigest()


def _load_project_rows(queryset, ids: list, project, field_name: str, noun: str) -> list:
    """Rows by id, in the order given, all from this project; an id from elsewhere reads as unknown."""
    if len(set(ids)) != len(ids):
        raise ValidationFailed(f"{field_name} lists the same {noun} twice.", field=field_name)
    rows = {row.pk: row for row in queryset.filter(project=project, pk__in=ids)}
    missing = [str(i) for i in ids if i not in rows]
    if missing:
        raise ValidationFailed(f"No {noun} with id {', '.join(missing)} in this project.", field=field_name)
    return [rows[i] for i in ids]


def _entries(project, ids: list, kind: str, field_name: str) -> list[LibraryEntry]:
    live = LibraryEntry.objects.filter(kind=kind, archived_at__isnull=True)
    return _load_project_rows(live, ids, project, field_name, kind)


def source_format(kind: kinds.JobKind, source: Asset, *, model: str | None, aspect_ratio: str | None, image_size: str | None) -> tuple[str | None, str | None, str | None]:
    """(model, aspect_ratio, image_size) for a job made from `source`: what the request names wins;
    the rest follows the source (its job's model, ratio and size, or an upload's nearest ratio),
    adjusted to what the chosen model has. Pages and REST both come through here."""
    made_by = source.generation
    if model is None and made_by is not None:
        inherited = catalogue.get_model(made_by.model)
        if kind.fallback_model and image_size and image_size not in inherited.sizes:
            inherited = catalogue.get_model(kind.fallback_model)
        model = inherited.alias
    resolved = resolve_model(model)
    if aspect_ratio is None:
        if made_by is not None:
            width, height = catalogue.PIXELS_1K[made_by.aspect_ratio]
        else:
            width, height = source.width, source.height
        aspect_ratio = catalogue.nearest_ratio(width, height, resolved.aspect_ratios)
    if image_size is None and made_by is not None and made_by.image_size in resolved.sizes:
        image_size = made_by.image_size
    return model, aspect_ratio, image_size


def _check_kind(kind: kinds.JobKind, data: GenerationInput) -> None:
    low, high = kind.min_sources, kind.max_sources
    if not low <= len(data.source_assets) <= high:
        wanted = f"exactly {low}" if low == high else f"{low} to {high}"
        raise ValidationFailed(
            f"A {kind.name} job takes {wanted} source assets; got {len(data.source_assets)}.",
            field="source_assets", details={"min": low, "max": high, "value": len(data.source_assets)},
        )
    if kind.needs_prompt and not data.prompt.strip():
        raise ValidationFailed(f"A {kind.name} job needs a prompt.", field="prompt")
    if kind.takes_language:
        if data.target_language not in catalogue.LANGUAGES:
            raise ValidationFailed(
                f"Unknown target_language {data.target_language!r}. Allowed: {', '.join(catalogue.LANGUAGES)}.",
                field="target_language", details={"allowed": list(catalogue.LANGUAGES)},
            )
    elif data.target_language:
        raise ValidationFailed(f"target_language is not for {kind.name} jobs.", field="target_language")
    if kind.sizes is not None and data.image_size not in kind.sizes:
        raise ValidationFailed(
            f"{kind.label} renders at {' or '.join(kind.sizes)}; got {data.image_size!r}.",
            field="image_size", details={"allowed": list(kind.sizes), "value": data.image_size},
        )


@dataclass
class PreparedGeneration:
    """A request that passed every check, resolved against its sources and the catalogue; nothing
    written yet. generation_create stores one; a bulk path can prepare many, check the budget once
    for all, and insert each."""

    kind: kinds.JobKind
    data: GenerationInput
    settings: ImageSettings
    sources: list
    references: list  # (ReferenceImage, label) in the order sent
    warnings: list[dict]

    @property
    def estimate_usd(self) -> Decimal:
        return self.settings.model.cost(self.settings.image_size, self.data.delivery, self.data.count)


class Lookups:
    """The rows a preparation reads, each distinct list looked up once: one job asks once, a batch
    of 500 sharing a few products asks a few times (sources can be loaded for the batch in one query)."""

    def __init__(self, project, preload_sources: list = ()):
        self.project = project
        self.sources_by_id = {
            asset.pk: asset for asset in Asset.objects.select_related("generation").filter(project=project, pk__in=set(preload_sources))
        } if preload_sources else {}
        self._entries: dict = {}
        self._references: dict = {}

    def sources(self, ids: list) -> list:
        if not ids:
            return []
        if len(set(ids)) == len(ids) and all(pk in self.sources_by_id for pk in ids):
            return [self.sources_by_id[pk] for pk in ids]
        return _load_project_rows(Asset.objects.select_related("generation"), ids, self.project, "source_assets", "asset")

    def entries(self, ids: list, kind: str, field_name: str) -> list:
        key = (kind, tuple(ids))
        if key not in self._entries:
            self._entries[key] = _entries(self.project, ids, kind, field_name)
        return self._entries[key]

    def references(self, characters: list, objects: list) -> list:
        key = tuple(entry.pk for entry in [*characters, *objects])
        if key not in self._references:
            self._references[key] = _reference_images(characters, objects)
        return list(self._references[key])


def generation_prepare(*, project, data: GenerationInput, lookups: Lookups | None = None) -> PreparedGeneration:
    """Every check a user can fail, without writing: the kind's rules, rows of this project, the
    model's settings (what the source gives unless asked), and the reference guidance as warnings."""
    lookups = lookups or Lookups(project)
    kind = kinds.get_kind(data.kind)
    _check_kind(kind, data)
    sources: list[Asset] = lookups.sources(data.source_assets)
    characters = lookups.entries(data.characters, EntryKind.CHARACTER, "characters")
    objects = lookups.entries(data.objects, EntryKind.OBJECT, "objects")
    references = lookups.references(characters, objects)
    model, aspect_ratio, image_size = data.model, data.aspect_ratio, data.image_size
    if kind.inherits_format:
        model, aspect_ratio, image_size = source_format(kind, sources[0], model=model, aspect_ratio=aspect_ratio, image_size=image_size)
        draft = sources[0].generation
        if not references and draft is not None and not kind.in_thread:
            # The source's exact reference images (even if archived since) keep its subjects
            # (a thread's turn already has them in its history, when its seed sent them).
            references = [(ref.reference_image, ref.label) for ref in draft.references.select_related("reference_image__entry")]

    job = check_image_settings(
        model=model,
        aspect_ratio=aspect_ratio,
        image_size=image_size,
        thinking_level=data.thinking_level,
        web_search=data.web_search,
        image_search=data.image_search,
        input_images=len(references) + len(sources),
    )
    character_images = sum(1 for image, _ in references if image.entry.kind == EntryKind.CHARACTER)
    warnings = job.model.guidance.warnings(
        model_label=job.model.label, character_images=character_images,
        object_images=len(references) - character_images, input_images=len(references) + len(sources),
    )
    deliveries.backend(data.delivery).check()
    return PreparedGeneration(kind=kind, data=data, settings=job, sources=sources, references=references, warnings=warnings)


def generation_budget_check(*, project, estimate_usd: Decimal) -> None:
    """Call inside the transaction that inserts the jobs: locks the project row (on SQLite the
    IMMEDIATE transaction already serialises writers) so parallel requests cannot overspend."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    _check_budget(locked, estimate_usd)


def generation_insert(*, project, user, prepared: PreparedGeneration, idempotency_key: str = "") -> Generation:
    """Store a prepared job as `queued` with its sources and exact reference images; its delivery
    sends it when the transaction commits."""
    generation = _generation_row(project, user, prepared, idempotency_key=idempotency_key, enqueued_at=timezone.now())
    generation.save(force_insert=True)
    GenerationSource.objects.bulk_create(
        [GenerationSource(generation=generation, asset=asset, position=i) for i, asset in enumerate(prepared.sources)]
    )
    GenerationReference.objects.bulk_create(
        [
            GenerationReference(generation=generation, reference_image=image, label=label, sha256=image.sha256, position=i)
            for i, (image, label) in enumerate(prepared.references)
        ]
    )
    dispatch([generation])
    return generation


def _generation_row(project, user, prepared: PreparedGeneration, *, idempotency_key: str = "", enqueued_at=None) -> Generation:
    """The unsaved `queued` row of a prepared job."""
    job, data = prepared.settings, prepared.data
    return Generation(
        project=project,
        kind=prepared.kind.name,
        prompt=data.prompt,
        system_instruction=project.brief,
        model=job.model.model_id,
        aspect_ratio=job.aspect_ratio,
        image_size=job.image_size,
        thinking_level=job.thinking_level or "",
        web_search=job.web_search,
        image_search=job.image_search,
        target_language=data.target_language,
        count=data.count,
        delivery=data.delivery,
        warnings=prepared.warnings,
        idempotency_key=idempotency_key,
        request_fingerprint=data.fingerprint(),
        created_by=user,
        enqueued_at=enqueued_at,
    )


@transaction.atomic
def generation_create(*, project, user, data: GenerationInput, idempotency_key: str = "", on_insert=None) -> tuple[Generation, bool]:
    """Validate everything a user can get wrong, then store a `queued` job and enqueue it on commit.

    Returns (generation, created); `generation.warnings` lists guidance the request went past. The
    same Idempotency-Key with the same body returns the first job, also when the retries race.
    `on_insert(generation)` writes a kind's own rows in the same savepoint (a region edit's region).
    """
    fingerprint = data.fingerprint()
    if idempotency_key:
        existing = _idempotent_replay(project, user, idempotency_key, fingerprint)
        if existing is not None:
            return existing, False
    prepared = generation_prepare(project=project, data=data)
    generation_budget_check(project=project, estimate_usd=prepared.estimate_usd)
    try:
        with transaction.atomic():  # a savepoint: a lost idempotency race rolls back only this insert
            generation = generation_insert(project=project, user=user, prepared=prepared, idempotency_key=idempotency_key)
            if on_insert is not None:
                on_insert(generation)
            return generation, True
    except IntegrityError:
        existing = _idempotent_replay(project, user, idempotency_key, fingerprint) if idempotency_key else None
        if existing is None:
            raise
        return existing, False


def _idempotent_replay(project, user, key: str, fingerprint: str) -> Generation | None:
    """The job an earlier request with this key made, or None; the key with another body is a conflict."""
    existing = Generation.objects.filter(project=project, created_by=user, idempotency_key=key).first()
    if existing is not None and existing.request_fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was already used with a different request body; use a new key.",
            code="idempotency_conflict",
        )
    return existing


def _check_budget(project, estimate: Decimal) -> None:
    """Refuse a job that would take this month's spend past the project's budget. Unfinished jobs
    count at their list price, so a burst of requests cannot overshoot."""
    if project.monthly_budget_usd is None:
        return
    spent = spend_this_month(project)
    if spent + estimate > project.monthly_budget_usd:
        raise BudgetExceeded(
            f"This job (about ${estimate:.3f}) would take this month's spend to ${spent + estimate:.2f}, over the project's "
            f"monthly budget of ${project.monthly_budget_usd:.2f}. Ask an owner to raise it.",
            code="budget_exceeded", details={"budget_usd": str(project.monthly_budget_usd), "spent_usd": str(spent.quantize(Decimal('0.0001')))},
        )


def _reference_images(characters, objects) -> list:
    """The live reference images of each entry, in upload order, each with the label sent before it."""
    chosen = []
    for entry in [*characters, *objects]:
        images = list(entry.images.filter(archived_at__isnull=True).order_by("created_at"))
        for position, image in enumerate(images):
            label = prompts.reference_label(
                kind=entry.kind, name=entry.name, description=entry.description, position=position, total=len(images)
            )
            image.entry = entry  # already loaded: the guidance counts images per entry kind
            chosen.append((image, label))
    return chosen


# --- many jobs at once (campaign stages)

MAX_JOBS_PER_BATCH = 1000


def generations_create_many(*, project, user, items: list[GenerationInput]) -> list[Generation]:
    """Prepare every item (the same checks as one job), check the budget once for all of them under
    the project row lock, store them in bulk and enqueue them on commit: all or nothing. Lookups
    are shared across items, so 500 jobs cost a few dozen queries, not thousands."""
    if len(items) > MAX_JOBS_PER_BATCH:
        raise ValidationFailed(
            f"At most {MAX_JOBS_PER_BATCH} jobs at once; this would create {len(items)}.",
            field="jobs", details={"limit": MAX_JOBS_PER_BATCH, "value": len(items)},
        )
    if not items:
        return []
    with transaction.atomic():
        lookups = Lookups(project, preload_sources=[pk for item in items for pk in item.source_assets])
        prepared = [generation_prepare(project=project, data=item, lookups=lookups) for item in items]
        estimate = sum((p.estimate_usd for p in prepared), Decimal(0))
        try:
            generation_budget_check(project=project, estimate_usd=estimate)
        except BudgetExceeded as refusal:
            raise BudgetExceeded(
                f"Refused as a whole: {len(items)} jobs. {refusal.message}", code=refusal.code,
                details={**refusal.details, "jobs": len(items), "estimate_usd": str(estimate)},
            ) from None
        now = timezone.now()
        generations = Generation.objects.bulk_create([_generation_row(project, user, p, enqueued_at=now) for p in prepared])
        GenerationSource.objects.bulk_create([
            GenerationSource(generation=generation, asset=asset, position=i)
            for generation, p in zip(generations, prepared) for i, asset in enumerate(p.sources)
        ])
        GenerationReference.objects.bulk_create([
            GenerationReference(generation=generation, reference_image=image, label=label, sha256=image.sha256, position=i)
            for generation, p in zip(generations, prepared) for i, (image, label) in enumerate(p.references)
        ])
        dispatch(generations)
    return generations
