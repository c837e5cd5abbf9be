"""Generation jobs: create (validate, store, enqueue on commit), run (claim, call, store), recover.

State lives in the database. Status changes go through Generation.objects.move() (the allowed moves
are on the model), and everything a worker writes while running is fenced on (status, attempt): a
worker whose attempt was superseded (recovered, canceled) changes nothing and writes no file.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.assets.files import file_delete, file_write
from apps.assets.images import inspect_generated
from apps.assets.models import Asset, Relation
from apps.assets.services import asset_create, generation_output_key
from apps.core.backoff import backoff_delay
from apps.core.exceptions import BudgetExceeded, Conflict, ValidationFailed
from apps.core.observability import job_context
from apps.gemini import catalogue, kinds, prompts
from apps.gemini.checks import ImageSettings, check_image_settings, resolve_model
from apps.gemini.gateway import GatewayError, ImageRequest, InputImage, generate_image
from apps.gemini.ratelimit import SlotLater
from apps.generations.models import Delivery, Generation, GenerationReference, GenerationSource, Kind, Status
from apps.generations.selectors import spend_this_month
from apps.library.models import EntryKind, LibraryEntry
from apps.projects.models import Project
from apps.refinements.history import model_parts_delete, model_parts_store, thread_history
from apps.webhooks.services import event_emit

logger = logging.getLogger(__name__)


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
        return self.settings.model.price(self.settings.image_size, self.data.delivery) * self.data.count


class _Lookups:
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


def generation_prepare(*, project, data: GenerationInput, lookups: _Lookups | None = None) -> PreparedGeneration:
    """Every check a user can fail, without writing: the kind's rules, rows of this project, the
    model's settings (what the source gives unless asked), and the reference guidance as warnings."""
    lookups = lookups or _Lookups(project)
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
    if data.delivery == Delivery.BATCH:
        from apps.batches.services import batch_delivery_check

        batch_delivery_check()
    return PreparedGeneration(kind=kind, data=data, settings=job, sources=sources, references=references, warnings=warnings)


def generation_budget_check(*, project, estimate_usd: Decimal) -> None:
    """Call inside the transaction that inserts the jobs: locks the project row (on SQLite the
    IMMEDIATE transaction already serialises writers) so parallel requests cannot overspend."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    _check_budget(locked, estimate_usd)


def generation_insert(*, project, user, prepared: PreparedGeneration, idempotency_key: str = "") -> Generation:
    """Store a prepared job as `queued` with its sources and exact reference images; it is sent to
    the workers when the transaction commits."""
    generation = _generation_row(project, user, prepared, idempotency_key=idempotency_key)
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
    if prepared.data.delivery == Delivery.BATCH:
        from apps.batches.services import batch_enqueue  # batches builds on this module

        batch_enqueue([generation.id])
    else:
        _enqueue(generation.id)
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
def generation_create(*, project, user, data: GenerationInput, idempotency_key: str = "") -> tuple[Generation, bool]:
    """Validate everything a user can get wrong, then store a `queued` job and enqueue it on commit.

    Returns (generation, created); `generation.warnings` lists guidance the request went past. The
    same Idempotency-Key with the same body returns the first job, also when the retries race.
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
            return generation_insert(project=project, user=user, prepared=prepared, idempotency_key=idempotency_key), True
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


def _enqueue(generation_id, countdown: float | None = None) -> None:
    """Send the id to the broker once the transaction commits, and record when (recovery reads it)."""
    from apps.generations.tasks import run_generation  # tasks imports this module

    Generation.objects.filter(pk=generation_id).update(enqueued_at=timezone.now())
    transaction.on_commit(lambda: run_generation.apply_async(args=[str(generation_id)], countdown=countdown))


# --- running a job


class Superseded(Exception):
    """This worker's attempt is no longer the job's current one (recovered elsewhere, or canceled)."""


def _claim(generation_id) -> int | None:
    """queued -> running, atomically, not before a retry or a reserved slot is due. Only one worker
    wins; returns its attempt number (the fence for all its writes), or None."""
    now = timezone.now()
    row = Generation.objects.filter(pk=generation_id).values("status", "attempts").first()
    if row is None or row["status"] != Status.QUEUED:
        return None
    attempt = row["attempts"] + 1
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1))
    moved = Generation.objects.move(
        generation_id, frm=Status.QUEUED, to=Status.RUNNING, where=due & Q(attempts=row["attempts"]),
        attempts=attempt, started_at=now, heartbeat_at=now, next_attempt_at=None,
    )
    return attempt if moved else None


class _Heartbeat:
    """Keeps a running attempt's heartbeat fresh from a side thread while its worker waits (for the
    rate limit, for a slow upstream call), so recovery never takes a live job for a dead one."""

    def __init__(self, generation_id, attempt: int):
        self.generation_id, self.attempt = generation_id, attempt
        self.interval = max(0.05, settings.GENERATION_STALE_AFTER_SECONDS / 4)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{generation_id}", daemon=True)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                if not Generation.objects.beat(self.generation_id, self.attempt):
                    return  # superseded or finished: nothing left to keep alive
        except DatabaseError:
            logger.exception("heartbeat of generation %s failed", self.generation_id)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


@transaction.atomic
def _finish(generation: Generation, attempt: int, status: str, **fields) -> bool:
    """running -> succeeded | failed for this attempt only, and tell the project's webhooks."""
    finished = Generation.objects.move(
        generation.pk, frm=Status.RUNNING, to=status, attempt=attempt, finished_at=timezone.now(), reserved_slot_at=None, **fields
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


def _source_prompt(sources) -> str:
    """The prompt the first source was made from (an upscale re-renders its draft with it)."""
    made_by = sources[0].asset.generation if sources else None
    return made_by.prompt if made_by is not None else ""


def _build_request(generation: Generation, sources: list | None = None) -> ImageRequest:
    """`sources`: the job's GenerationSource rows with `asset__generation`, if the caller has them."""
    job = check_image_settings(
        model=generation.model,
        aspect_ratio=generation.aspect_ratio,
        image_size=generation.image_size,
        thinking_level=generation.thinking_level,
        web_search=generation.web_search,
        image_search=generation.image_search,
    )
    kind = kinds.get_kind(generation.kind)
    if kind.in_thread:  # the thread's history goes first; the refined image is in it
        history = thread_history(generation, request_of=_build_request)
        return ImageRequest(settings=job, prompt=kind.instruction(generation.prompt), system_instruction=generation.system_instruction, history=history)
    images = []
    for reference in generation.references.select_related("reference_image"):
        with default_storage.open(reference.reference_image.file.name, "rb") as handle:
            images.append(InputImage(data=handle.read(), mime_type=reference.reference_image.mime_type, label=reference.label))
    if sources is None:
        sources = list(generation.sources.select_related("asset__generation"))
    for source in sources:
        with default_storage.open(source.asset.file.name, "rb") as handle:
            images.append(
                InputImage(data=handle.read(), mime_type=source.asset.mime_type, label=prompts.source_label(source.position, len(sources)))
            )
    text = kinds.get_kind(generation.kind).instruction(
        generation.prompt, target_language=generation.target_language, source_prompt=_source_prompt(sources)
    )
    return ImageRequest(settings=job, prompt=text, images=tuple(images), system_instruction=generation.system_instruction)


def _retry_delay(attempt: int, error: GatewayError | None) -> float:
    if error is not None and error.retry_after:
        return error.retry_after
    return backoff_delay(attempt, base=settings.GENERATION_RETRY_BASE_SECONDS, cap=settings.GENERATION_RETRY_MAX_SECONDS)


def _add_usage(total: dict, usage: dict) -> dict:
    merged = dict(total)
    for key, value in usage.items():
        if isinstance(value, (int, float)):
            merged[key] = merged.get(key, 0) + value
    return merged


def _store_output(generation: Generation, attempt: int, index: int, result, parents) -> None:
    """Write the output's file, then its rows only while `attempt` is current and the output has no
    row yet (the fenced UPDATE that opens the transaction takes the job's row lock, so no other
    attempt can store, recover or cancel in between). The file goes under this attempt's own key
    before the lock is taken: a 4K image is tens of MB, and on SQLite the lock holds up every
    writer. An attempt that may not store deletes its own file; no file a row points at is ever
    rewritten."""
    image = inspect_generated(result.images[0].data)
    if not Generation.objects.fenced(generation.pk, attempt).exists():
        raise Superseded  # replaced while it waited for the model: nothing to write
    key = generation_output_key(generation, index, image.extension, attempt)
    file_write(key, image.data)
    model_parts = []
    try:
        model_parts = model_parts_store(
            parts=result.parts, asset_key=key, asset_part=result.images[0].part_index, asset_sha256=image.sha256
        )
        with transaction.atomic():
            if not Generation.objects.beat(generation.pk, attempt):
                raise Superseded
            current = Generation.objects.fenced(generation.pk, attempt)
            stored_key = Asset.objects.filter(generation=generation, output_index=index).values_list("file", flat=True).first()
            if stored_key is None:
                asset_create(
                    project=generation.project,
                    key=key,
                    image=image,
                    origin="generated",
                    created_by=generation.created_by,
                    generation=generation,
                    output_index=index,
                    model_version=result.model_version,
                    response_id=result.response_id,
                    model_parts=model_parts,
                    parents=parents,
                )
                current.update(
                    usage=_add_usage(current.values_list("usage", flat=True).get(), result.usage),
                    cost_usd=F("cost_usd") + catalogue.get_model(generation.model).price(generation.image_size, generation.delivery),
                    model_version=result.model_version,
                    response_id=result.response_id,
                    model_text=result.text,
                    grounding=result.grounding,
                )
    except Exception:
        _output_files_delete(key, model_parts)  # no row points at these bytes
        raise
    if stored_key is not None:
        logger.warning("output %s of generation %s was already stored", index, generation.pk)
        if stored_key != key:  # by another attempt: ours is no one's
            _output_files_delete(key, model_parts)


def _output_files_delete(key: str, model_parts: list[dict]) -> None:
    file_delete(key)
    model_parts_delete(model_parts, asset_key=key)


def _variation_parent(generation: Generation, index: int) -> list:
    """Outputs after the first of a multi-image job are variations of the first."""
    first = Asset.objects.filter(generation=generation, output_index=0).first() if index else None
    return [(first, Relation.VARIATION_OF)] if first else []


def generation_run(*, generation_id) -> None:
    """Run a queued job once. Safe to call twice with the same id: the claim lets one through."""
    attempt = _claim(generation_id)
    if attempt is None:
        return
    generation = Generation.objects.select_related("project", "created_by").get(pk=generation_id)
    context = job_context.set({"job_id": str(generation.pk), "project_id": str(generation.project_id)})
    try:
        with _Heartbeat(generation.pk, attempt):
            _run_claimed(generation, attempt)
    finally:
        job_context.reset(context)


def _run_claimed(generation: Generation, attempt: int) -> None:
    try:
        sources = list(generation.sources.select_related("asset__generation"))
        request = _build_request(generation, sources)
        relation = kinds.get_kind(generation.kind).relation
        parents = [(source.asset, relation) for source in sources]
        # Outputs stored by earlier attempts are not asked for again; a first attempt has none.
        done = set(generation.assets.values_list("output_index", flat=True)) if attempt > 1 else set()
        reserved = generation.reserved_slot_at
        for index in range(generation.count):
            if index in done:
                continue
            if not Generation.objects.fenced(generation.pk, attempt).exists():
                raise Superseded
            result = _call_upstream(generation, request, reserved)
            reserved = None
            _store_output(generation, attempt, index, result, parents + _variation_parent(generation, index))
    except Superseded:
        logger.warning("generation %s attempt %s was superseded; it stops without writing", generation.pk, attempt)
        return
    except SlotLater as later:
        _wait_for_slot(generation, attempt, later.slot_at)
        return
    except GatewayError as error:
        _handle_failure(generation, attempt, error.code, error.message, retryable=error.retryable, error=error)
        return
    except ValidationFailed as error:
        _handle_failure(generation, attempt, error.code, error.message, retryable=False)
        return
    except DatabaseError as error:  # a failed write rolled back whole (asset, rendition, lineage): retry
        logger.exception("generation %s hit a database error", generation.pk)
        _handle_failure(generation, attempt, "database_error", f"{error.__class__.__name__}: {error}", retryable=True)
        return
    except Exception as error:  # storage or other trouble: retry, then fail with the reason
        logger.exception("generation %s crashed", generation.pk)
        _handle_failure(generation, attempt, "internal_error", f"{error.__class__.__name__}: {error}", retryable=True)
        return
    _finish(generation, attempt, Status.SUCCEEDED, error_code="", error_message="")


def _call_upstream(generation: Generation, request: ImageRequest, reserved_slot_at: float | None):
    """One call in turn under the rate limit, counted on the row once its turn came (made or failed
    on the way). A turn too far off raises SlotLater uncounted."""
    try:
        result = generate_image(request, reserved_slot_at=reserved_slot_at, max_wait=settings.GEMINI_RATE_WAIT_MAX_SECONDS)
    except SlotLater:
        raise
    except Exception:
        _count_call(generation)
        raise
    _count_call(generation)
    return result


def _count_call(generation: Generation) -> None:
    # Not fenced: a superseded attempt's call was still made (and paid for).
    Generation.objects.filter(pk=generation.pk).update(upstream_calls=F("upstream_calls") + 1, reserved_slot_at=None)


def _wait_for_slot(generation: Generation, attempt: int, slot_at: float) -> None:
    """running -> queued until the slot reserved for this job: the worker thread goes on to jobs
    that can run now. Not a failure, so it uses up no retry."""
    # Back a little before the slot (it stays reserved), so the job is claimed in time and waits
    # the rest in-thread.
    delay = max(0.0, slot_at - time.time() - settings.GEMINI_RATE_WAIT_MAX_SECONDS / 2)
    with transaction.atomic():
        moved = Generation.objects.move(
            generation.pk, frm=Status.RUNNING, to=Status.QUEUED, attempt=attempt,
            rate_waits=F("rate_waits") + 1, reserved_slot_at=slot_at,
            next_attempt_at=timezone.now() + timedelta(seconds=delay),
        )
        if moved:
            _enqueue(generation.pk, countdown=delay)


def _handle_failure(generation: Generation, attempt: int, code: str, message: str, *, retryable: bool, error: GatewayError | None = None) -> None:
    failed_attempts = Generation.objects.get(pk=generation.pk).failed_attempts
    if retryable and failed_attempts < settings.GENERATION_MAX_ATTEMPTS:
        delay = _retry_delay(failed_attempts, error)
        with transaction.atomic():
            moved = Generation.objects.move(
                generation.pk, frm=Status.RUNNING, to=Status.QUEUED, attempt=attempt,
                error_code=code,
                error_message=f"Attempt {failed_attempts} failed, retrying in {delay:.1f} s: {message}",
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            if moved:
                _enqueue(generation.pk, countdown=delay)
        return
    if retryable:
        message = f"{message} (gave up after {failed_attempts} attempts)"
    _finish(generation, attempt, Status.FAILED, error_code=code, error_message=message)


def generation_cancel(*, generation: Generation) -> Generation:
    """queued | running -> canceled. A worker still running it finds its attempt superseded and stores nothing more."""
    updated = Generation.objects.move(
        generation.pk, frm=(Status.QUEUED, Status.RUNNING), to=Status.CANCELED, finished_at=timezone.now()
    )
    generation.refresh_from_db()
    if not updated:
        raise Conflict(f"This job is already {generation.status}; only queued or running jobs can be canceled.", code="not_cancelable")
    if generation.delivery == Delivery.BATCH:
        from apps.batches.tasks import release_unwanted_batches

        transaction.on_commit(lambda: release_unwanted_batches.delay(str(generation.pk)))
    return generation


def generation_recover(*, stale_after: float | None = None) -> int:
    """Re-queue jobs a dead worker left behind. The embedded broker never redelivers a message
    taken by a killed worker, so the database decides: `running` with an old heartbeat goes back
    on the queue, and `queued` long past its due time is sent again, but only if its last send is
    older than the stale window too (so repeated sweeps do not flood the broker). Returns how many
    ids were sent."""
    stale_after = settings.GENERATION_STALE_AFTER_SECONDS if stale_after is None else stale_after
    cutoff = timezone.now() - timedelta(seconds=stale_after)
    sent = []
    with transaction.atomic():
        # A batch job waits queued for hours by design: its batch's poller, not this sweep, sends it.
        lost = Generation.objects.filter(status=Status.QUEUED, delivery=Delivery.INTERACTIVE).filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
        sent += lost.values_list("pk", flat=True)
        for pk in Generation.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True):
            if Generation.objects.move(pk, frm=Status.RUNNING, to=Status.QUEUED, where=Q(heartbeat_at__lt=cutoff), next_attempt_at=None):
                if not Generation.objects.filter(pk=pk, delivery=Delivery.BATCH).exists():
                    sent.append(pk)
        for pk in sent:
            _enqueue(pk)
    if sent:
        logger.info("re-sent %s stale generation(s)", len(sent))
    return len(sent)


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
        lookups = _Lookups(project, preload_sources=[pk for item in items for pk in item.source_assets])
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
        ids = [str(g.pk) for g in generations if g.delivery == Delivery.INTERACTIVE]
        if ids:
            transaction.on_commit(lambda: _enqueue_fan_out(ids))
        batched = [g.pk for g in generations if g.delivery == Delivery.BATCH]
        if batched:
            from apps.batches.services import batch_enqueue  # batches builds on this module

            batch_enqueue(batched)
    return generations


def _enqueue_fan_out(ids: list[str]) -> None:
    """One message carrying every id; a worker turns it into one message per job, so the request
    that made them does not pay for hundreds of broker writes. Should that message be lost, the
    rows stay `queued` and `generation_recover` sends them again."""
    from apps.generations.tasks import enqueue_generations

    enqueue_generations.apply_async(args=[ids])


def generations_enqueue(*, generation_ids: list[str]) -> None:
    from apps.generations.tasks import run_generation

    with run_generation.app.producer_or_acquire() as producer:
        for generation_id in generation_ids:
            run_generation.apply_async(args=[generation_id], producer=producer)

