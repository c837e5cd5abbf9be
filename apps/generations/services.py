"""Generation jobs: create (validate, store, enqueue on commit), run (claim, call, store), recover.

State lives in the database. Every state change is a conditional UPDATE on the expected current
status, so two workers holding the same id cannot both run it, and a re-run skips outputs
already stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.assets.images import inspect_generated
from apps.assets.models import Asset, Relation
from apps.assets.services import asset_create, asset_files_delete, asset_files_write, generation_output_key
from apps.core.observability import job_context
from apps.core.exceptions import BudgetExceeded, Conflict, ValidationFailed
from apps.gemini import catalogue, prompts
from apps.gemini.checks import check_image_settings
from apps.gemini.gateway import GatewayError, ImageRequest, InputImage, generate_image
from apps.generations.models import Generation, GenerationReference, GenerationSource, Kind, Status
from apps.generations.selectors import spend_this_month
from apps.library.models import EntryKind, LibraryEntry
from apps.refinements.history import model_parts_delete, model_parts_store, thread_history
from apps.webhooks.services import event_emit

logger = logging.getLogger(__name__)

RELATION_BY_KIND = {
    Kind.EDIT: Relation.EDITED_FROM,
    Kind.TRANSLATE: Relation.TRANSLATED_FROM,
    Kind.UPSCALE: Relation.UPSCALED_FROM,
    Kind.COMPOSE: Relation.COMPOSED_FROM,
    Kind.GENERATE: Relation.COMPOSED_FROM,
    Kind.REFINE: Relation.EDITED_FROM,
}
# How many source assets each kind takes: (at least, at most).
SOURCES_BY_KIND = {
    Kind.GENERATE: (0, catalogue.MAX_INPUT_IMAGES),
    Kind.EDIT: (1, 1),
    Kind.TRANSLATE: (1, 1),
    Kind.UPSCALE: (1, 1),
    Kind.COMPOSE: (2, catalogue.MAX_INPUT_IMAGES),
    Kind.REFINE: (1, 1),
}
UPSCALE_SIZES = ("2K", "4K")


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


@transaction.atomic
def generation_create(*, project, user, data: GenerationInput, idempotency_key: str = "") -> tuple[Generation, bool]:
    """Validate everything a user can get wrong, then store a `queued` job and enqueue it on commit.

    Returns (generation, created). The same Idempotency-Key with the same body returns the first job.
    """
    fingerprint = data.fingerprint()
    if idempotency_key:
        existing = Generation.objects.filter(project=project, created_by=user, idempotency_key=idempotency_key).first()
        if existing is not None:
            if existing.request_fingerprint != fingerprint:
                raise Conflict(
                    "This Idempotency-Key was already used with a different request body; use a new key.",
                    code="idempotency_conflict",
                )
            return existing, False

    low, high = SOURCES_BY_KIND[data.kind]
    if not low <= len(data.source_assets) <= high:
        wanted = f"exactly {low}" if low == high else f"{low} to {high}"
        raise ValidationFailed(
            f"A {data.kind} job takes {wanted} source assets; got {len(data.source_assets)}.",
            field="source_assets", details={"min": low, "max": high, "value": len(data.source_assets)},
        )
    sources: list[Asset] = _load_project_rows(Asset.objects.select_related("generation"), data.source_assets, project, "source_assets", "asset")
    if data.kind in (Kind.GENERATE, Kind.EDIT, Kind.COMPOSE) and not data.prompt.strip():
        raise ValidationFailed(f"A {data.kind} job needs a prompt.", field="prompt")
    if data.kind == Kind.TRANSLATE:
        if data.target_language not in catalogue.LANGUAGES:
            raise ValidationFailed(
                f"Unknown target_language {data.target_language!r}. Allowed: {', '.join(catalogue.LANGUAGES)}.",
                field="target_language", details={"allowed": list(catalogue.LANGUAGES)},
            )
    elif data.target_language:
        raise ValidationFailed("target_language is only for translate jobs.", field="target_language")

    characters = _entries(project, data.characters, EntryKind.CHARACTER, "characters")
    objects = _entries(project, data.objects, EntryKind.OBJECT, "objects")
    aspect_ratio, original_prompt = data.aspect_ratio, ""
    references = _reference_images(characters, objects)
    if data.kind == Kind.UPSCALE:
        if data.image_size not in UPSCALE_SIZES:
            raise ValidationFailed(
                f"Upscale renders at {' or '.join(UPSCALE_SIZES)}; got {data.image_size!r}.",
                field="image_size", details={"allowed": list(UPSCALE_SIZES)},
            )
        draft = sources[0].generation
        if draft is not None:
            # The draft's own prompt, ratio and exact reference images (even if archived since).
            original_prompt = draft.prompt
            aspect_ratio = aspect_ratio or draft.aspect_ratio
            if not references:
                references = [(ref.reference_image, ref.label) for ref in draft.references.select_related("reference_image")]

    job = check_image_settings(
        model=data.model,
        aspect_ratio=aspect_ratio,
        image_size=data.image_size,
        thinking_level=data.thinking_level,
        web_search=data.web_search,
        image_search=data.image_search,
        input_images=len(references) + len(sources),
    )
    limits = job.model.references
    if len(characters) > limits.max_characters:
        raise ValidationFailed(
            f"At most {limits.max_characters} characters per job; got {len(characters)}.",
            field="characters", details={"limit": limits.max_characters, "value": len(characters)},
        )
    if len(objects) > limits.max_objects:
        raise ValidationFailed(
            f"At most {limits.max_objects} objects per job; got {len(objects)}.",
            field="objects", details={"limit": limits.max_objects, "value": len(objects)},
        )

    _check_budget(project, job.model.price(job.image_size) * data.count)
    generation = Generation.objects.create(
        project=project,
        kind=data.kind,
        prompt=data.prompt or original_prompt,
        system_instruction=project.brief,
        model=job.model.model_id,
        aspect_ratio=job.aspect_ratio,
        image_size=job.image_size,
        thinking_level=job.thinking_level or "",
        web_search=job.web_search,
        image_search=job.image_search,
        target_language=data.target_language,
        count=data.count,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        created_by=user,
    )
    GenerationSource.objects.bulk_create(
        [GenerationSource(generation=generation, asset=asset, position=i) for i, asset in enumerate(sources)]
    )
    GenerationReference.objects.bulk_create(
        [
            GenerationReference(generation=generation, reference_image=image, label=label, sha256=image.sha256, position=i)
            for i, (image, label) in enumerate(references)
        ]
    )
    _enqueue(generation.id)
    return generation, True


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
            chosen.append((image, label))
    return chosen


def _enqueue(generation_id, countdown: float | None = None) -> None:
    from apps.generations.tasks import run_generation

    transaction.on_commit(lambda: run_generation.apply_async(args=[str(generation_id)], countdown=countdown))


# --- running a job


def _claim(generation_id) -> bool:
    """queued -> running, atomically; only one worker can win, and not before a retry is due."""
    now = timezone.now()
    return bool(
        Generation.objects.filter(pk=generation_id, status=Status.QUEUED)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1)))
        .update(status=Status.RUNNING, attempts=F("attempts") + 1, started_at=now, heartbeat_at=now, next_attempt_at=None)
    )


@transaction.atomic
def _finish(generation: Generation, status: str, **fields) -> bool:
    """running -> succeeded | failed, and tell the project's webhooks."""
    finished = bool(
        Generation.objects.filter(pk=generation.pk, status=Status.RUNNING).update(
            status=status, finished_at=timezone.now(), **fields
        )
    )
    if finished:
        logger.info("generation %s", status, extra={"status": status, "error_code": fields.get("error_code", "")})
        error = {"code": fields["error_code"], "message": fields["error_message"]} if fields.get("error_code") else None
        event_emit(
            project=generation.project,
            event=f"generation.{status}",
            data={
                "generation": str(generation.pk),
                "kind": generation.kind,
                "status": status,
                "error": error,
                "assets": [str(pk) for pk in generation.assets.order_by("output_index").values_list("pk", flat=True)],
            },
        )
    return finished


def _build_request(generation: Generation) -> ImageRequest:
    job = check_image_settings(
        model=generation.model,
        aspect_ratio=generation.aspect_ratio,
        image_size=generation.image_size,
        thinking_level=generation.thinking_level,
        web_search=generation.web_search,
        image_search=generation.image_search,
    )
    if generation.kind == Kind.REFINE:  # the thread's history goes first; the refined image is in it
        history = thread_history(generation, request_of=_build_request)
        return ImageRequest(settings=job, prompt=generation.prompt, system_instruction=generation.system_instruction, history=history)
    images = []
    for reference in generation.references.select_related("reference_image"):
        with default_storage.open(reference.reference_image.file.name, "rb") as handle:
            images.append(InputImage(data=handle.read(), mime_type=reference.reference_image.mime_type, label=reference.label))
    sources = list(generation.sources.select_related("asset"))
    for source in sources:
        with default_storage.open(source.asset.file.name, "rb") as handle:
            images.append(
                InputImage(data=handle.read(), mime_type=source.asset.mime_type, label=prompts.source_label(source.position, len(sources)))
            )
    original_prompt = generation.prompt
    text = prompts.instruction(
        generation.kind, prompt=generation.prompt, target_language=generation.target_language, original_prompt=original_prompt
    )
    return ImageRequest(settings=job, prompt=text, images=tuple(images), system_instruction=generation.system_instruction)


def _retry_delay(attempt: int, error: GatewayError | None) -> float:
    if error is not None and error.retry_after:
        return error.retry_after
    base = settings.GENERATION_RETRY_BASE_SECONDS * (2 ** (attempt - 1))
    return min(settings.GENERATION_RETRY_MAX_SECONDS, base) * random.uniform(0.8, 1.2)


def _add_usage(total: dict, usage: dict) -> dict:
    merged = dict(total)
    for key, value in usage.items():
        if isinstance(value, (int, float)):
            merged[key] = merged.get(key, 0) + value
    return merged


def _store_output(generation: Generation, index: int, result, parents) -> None:
    image = inspect_generated(result.images[0].data)
    key = generation_output_key(generation, index, image.extension)
    thumbnail = asset_files_write(key=key, image=image)
    model_parts = model_parts_store(parts=result.parts, asset_key=key, asset_part=result.images[0].part_index)
    try:
        with transaction.atomic():
            asset_create(
                project=generation.project,
                key=key,
                image=image,
                thumbnail=thumbnail,
                origin="generated",
                created_by=generation.created_by,
                generation=generation,
                output_index=index,
                model_version=result.model_version,
                response_id=result.response_id,
                model_parts=model_parts,
                parents=parents,
            )
            Generation.objects.filter(pk=generation.pk).update(
                usage=_add_usage(Generation.objects.values_list("usage", flat=True).get(pk=generation.pk), result.usage),
                cost_usd=F("cost_usd") + catalogue.get_model(generation.model).price(generation.image_size),
                model_version=result.model_version,
                response_id=result.response_id,
                model_text=result.text,
                grounding=result.grounding,
                heartbeat_at=timezone.now(),
            )
    except IntegrityError:
        if Asset.objects.filter(generation=generation, output_index=index).exists():
            # Another run stored this output first; its files are the same key, so nothing to undo.
            logger.warning("output %s of generation %s was already stored", index, generation.pk)
            return
        # Any other constraint failure: nothing was stored, so the files must not stay behind
        # (and the job must not count this output as done).
        asset_files_delete(key=key)
        model_parts_delete(model_parts, asset_key=key)
        raise
    except Exception:
        asset_files_delete(key=key)
        model_parts_delete(model_parts, asset_key=key)
        raise


def _variation_parent(generation: Generation, index: int) -> list:
    """Outputs after the first of a multi-image job are variations of the first."""
    first = Asset.objects.filter(generation=generation, output_index=0).first() if index else None
    return [(first, Relation.VARIATION_OF)] if first else []


def generation_run(*, generation_id) -> None:
    """Run a queued job once. Safe to call twice with the same id: the claim lets one through."""
    if not _claim(generation_id):
        return
    generation = Generation.objects.select_related("project", "created_by").get(pk=generation_id)
    context = job_context.set({"job_id": str(generation.pk), "project_id": str(generation.project_id)})
    try:
        _run_claimed(generation)
    finally:
        job_context.reset(context)


def _run_claimed(generation: Generation) -> None:
    try:
        request = _build_request(generation)
        parents = [(source.asset, RELATION_BY_KIND[generation.kind]) for source in generation.sources.select_related("asset")]
        done = set(generation.assets.values_list("output_index", flat=True))
        for index in range(generation.count):
            if index in done:
                continue
            if Generation.objects.filter(pk=generation.pk, status=Status.CANCELED).exists():
                return
            Generation.objects.filter(pk=generation.pk).update(upstream_calls=F("upstream_calls") + 1)
            result = generate_image(request)
            _store_output(generation, index, result, parents + _variation_parent(generation, index))
    except GatewayError as error:
        _handle_failure(generation, error.code, error.message, retryable=error.retryable, error=error)
        return
    except ValidationFailed as error:
        _handle_failure(generation, error.code, error.message, retryable=False)
        return
    except DatabaseError as error:  # a failed write rolled back whole (asset, rendition, lineage): retry
        logger.exception("generation %s hit a database error", generation.pk)
        _handle_failure(generation, "database_error", f"{error.__class__.__name__}: {error}", retryable=True)
        return
    except Exception as error:  # storage or other trouble: retry, then fail with the reason
        logger.exception("generation %s crashed", generation.pk)
        _handle_failure(generation, "internal_error", f"{error.__class__.__name__}: {error}", retryable=True)
        return
    _finish(generation, Status.SUCCEEDED, error_code="", error_message="")


def _handle_failure(generation: Generation, code: str, message: str, *, retryable: bool, error: GatewayError | None = None) -> None:
    attempts = Generation.objects.values_list("attempts", flat=True).get(pk=generation.pk)
    if retryable and attempts < settings.GENERATION_MAX_ATTEMPTS:
        delay = _retry_delay(attempts, error)
        with transaction.atomic():
            moved = Generation.objects.filter(pk=generation.pk, status=Status.RUNNING).update(
                status=Status.QUEUED,
                error_code=code,
                error_message=f"Attempt {attempts} failed, retrying in {delay:.1f} s: {message}",
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            if moved:
                _enqueue(generation.pk, countdown=delay)
        return
    if retryable:
        message = f"{message} (gave up after {attempts} attempts)"
    _finish(generation, Status.FAILED, error_code=code, error_message=message)


def generation_cancel(*, generation: Generation) -> Generation:
    updated = Generation.objects.filter(pk=generation.pk, status__in=[Status.QUEUED, Status.RUNNING]).update(
        status=Status.CANCELED, finished_at=timezone.now()
    )
    generation.refresh_from_db()
    if not updated:
        raise Conflict(f"This job is already {generation.status}; only queued or running jobs can be canceled.", code="not_cancelable")
    return generation


def generation_recover(*, stale_after: float | None = None) -> int:
    """Re-queue jobs a dead worker left behind. The embedded broker never redelivers a message
    taken by a killed worker, so the database decides: `running` with an old heartbeat, or
    `queued` long past its due time, goes back on the queue. Returns how many were re-queued."""
    stale_after = settings.GENERATION_STALE_AFTER_SECONDS if stale_after is None else stale_after
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    recovered = 0
    with transaction.atomic():
        for pk in Generation.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True):
            if Generation.objects.filter(pk=pk, status=Status.RUNNING, heartbeat_at__lt=cutoff).update(status=Status.QUEUED, next_attempt_at=None):
                _enqueue(pk)
                recovered += 1
        lost = Generation.objects.filter(status=Status.QUEUED).filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        )
        for pk in lost.values_list("pk", flat=True):
            _enqueue(pk)
            recovered += 1
    if recovered:
        logger.info("re-queued %s stale generation(s)", recovered)
    return recovered

