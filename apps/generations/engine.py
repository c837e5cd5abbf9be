"""The job engine: the public steps a job goes through, whoever delivers it.

    claim -> build_request -> call the model -> store_output (each output) -> finish
    on a failed call: retry_or_fail (back to queued with a backoff, or failed)
    on a rate-limit slot too far off: wait_for_slot (back to queued, no retry used)
    cancel, recover (a dead worker's jobs), Heartbeat (a live worker's), Superseded (a stale attempt)

`run` strings them together for interactive jobs; batch delivery (apps/batches) calls the same
steps when its results arrive. A step that meets the database or the object store away for a
moment (a restart, a failover, a bucket answering 503) rides it out (apps/core/outages.py): the
claim, the call count, the stored output and the settling are tried again after a reconnect, so a
blip neither leaves a job for the stale sweep nor pays for an upstream call twice.
State lives in the database: status changes go through
Generation.objects.move() (the allowed moves are on the model), and everything a worker writes
while running is fenced on (status, attempt): a worker whose attempt was superseded (recovered,
canceled) changes nothing and writes no file. A job's end (finish or cancel) sends `job_finished`
once the transaction commits and marks the job announced once every receiver took it; the
`announce_missed` sweep re-sends what a dead worker or a failed receiver left unannounced (so
receivers hear a job's end at least once). A stored output sends `asset_stored`
(apps/assets/services.py).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.module_loading import import_string

from apps.assets.files import file_delete, file_write
from apps.assets.images import inspect_generated
from apps.assets.models import Asset, Relation
from apps.assets.services import asset_create
from apps.core.backoff import backoff_delay
from apps.core.exceptions import Conflict, ValidationFailed
from apps.core.observability import job_context
from apps.core.outages import Outage, ride_out
from apps.core.signals import send_robust_now
from apps.core.storage_keys import generation_output_key
from apps.gemini import catalogue, kinds
from apps.gemini.gateway import GatewayError, ImageRequest, generate_image
from apps.gemini.ratelimit import SlotLater
from apps.generations import deliveries
from apps.generations.dispatch import enqueue
from apps.generations.model_parts import model_parts_delete, model_parts_store
from apps.generations.models import FINISHED, UNFINISHED, Generation, Status
from apps.generations.requests import build_request
from apps.generations.signals import job_finished

__all__ = [
    "Heartbeat", "Superseded", "announce", "announce_missed", "build_request", "cancel", "claim", "finish", "output_parents", "recover",
    "resend_unsent", "retry_or_fail", "run", "store_output", "stored_outputs", "wait_for_slot",
]

logger = logging.getLogger(__name__)


class Superseded(Exception):
    """This worker's attempt is no longer the job's current one (recovered elsewhere, or canceled)."""


def claim(generation_id) -> int | None:
    """queued -> running, atomically, not before a retry or a reserved slot is due. Only one worker
    wins; returns its attempt number (the fence for all its writes), or None. Rides out a database
    blip: a claim whose commit was made but whose answer was lost is recognised by its start time."""
    now = timezone.now()
    tried = []

    def once():
        if tried:  # the UPDATE may have committed before the connection broke: then the claim is ours
            mine = Generation.objects.filter(pk=generation_id, status=Status.RUNNING, started_at=now).values_list("attempts", flat=True).first()
            if mine is not None:
                return mine
        tried.append(True)
        return _claim(generation_id, now)

    return ride_out(once, what=f"claiming generation {generation_id}", kind=Outage.DATABASE)


def _claim(generation_id, now) -> int | None:
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


class Heartbeat:
    """Keeps a running attempt's heartbeat fresh from a side thread while its worker waits (for the
    rate limit, for a slow upstream call), so recovery never takes a live job for a dead one."""

    def __init__(self, generation_id, attempt: int):
        self.generation_id, self.attempt = generation_id, attempt
        self.interval = max(0.05, settings.GENERATION_STALE_AFTER_SECONDS / 4)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"heartbeat-{generation_id}", daemon=True)

    def _beat(self) -> None:
        """A beat that meets a database error (a restart, a failover) is skipped: the thread drops
        its connection and beats again at the next interval on a fresh one."""
        try:
            while not self._stop.wait(self.interval):
                try:
                    if not Generation.objects.beat(self.generation_id, self.attempt):
                        return  # superseded or finished: nothing left to keep alive
                except DatabaseError as error:
                    logger.warning("heartbeat of generation %s failed, beating again in %.1f s: %s", self.generation_id, self.interval, error)
                    _drop_connection()
        finally:
            _drop_connection()  # this thread's own connection

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def _drop_connection() -> None:
    try:
        connection.close()
    except DatabaseError:  # a connection that died may fail to close: it is gone all the same
        pass


@transaction.atomic
def finish(generation: Generation, attempt: int, status: str, **fields) -> bool:
    """running -> succeeded | failed for this attempt only: the job's final transition. Once it
    commits, `job_finished` tells whoever subscribed (webhooks, campaigns, ...)."""
    now = timezone.now()
    finished = Generation.objects.move(
        generation.pk, frm=Status.RUNNING, to=status, attempt=attempt, finished_at=now, reserved_slot_at=None, **fields
    )
    if finished:
        logger.info("generation %s", status, extra={"status": status, "error_code": fields.get("error_code", "")})
        _finished(generation, status, finished_at=now, reserved_slot_at=None, **fields)
    return finished


def _finished(generation: Generation, status: str, **fields) -> None:
    """The in-memory row catches up with what was written, and the job is announced on commit.
    The row commits unannounced: if this process dies before `announce` is done, the sweep does it."""
    generation.status = status
    for name, value in fields.items():
        setattr(generation, name, value)
    transaction.on_commit(lambda: announce(generation), robust=True)


def announce(generation: Generation) -> bool:
    """Send `job_finished` for a finished job; once every receiver took it, mark the job announced
    (only where not yet: a sweep and a worker may race, both send, one marks). A failing receiver
    leaves it unannounced for the sweep to send again, so receivers must be idempotent."""
    if not send_robust_now(job_finished, Generation, generation=generation, status=generation.status):
        return False
    Generation.objects.filter(pk=generation.pk, announced_at__isnull=True).update(announced_at=timezone.now())
    return True


def announce_missed(*, grace: float | None = None, limit: int = 200) -> int:
    """Announce jobs that finished over `grace` seconds ago and were never announced (their worker
    died between the commit and the receivers, or a receiver failed), oldest first, at most `limit`
    per sweep. Returns how many were announced."""
    grace = settings.GENERATION_ANNOUNCE_GRACE_SECONDS if grace is None else grace
    cutoff = timezone.now() - timedelta(seconds=grace)
    missed = (
        Generation.objects.filter(status__in=FINISHED, announced_at__isnull=True, finished_at__lt=cutoff)
        .select_related("project").order_by("finished_at")[:limit]
    )
    announced = sum(announce(generation) for generation in missed)
    if announced:
        logger.info("announced %s finished generation(s) a worker left unannounced", announced)
    return announced


def retry_delay(attempt: int, error: GatewayError | None) -> float:
    if error is not None and error.retry_after:
        return error.retry_after
    return backoff_delay(attempt, base=settings.GENERATION_RETRY_BASE_SECONDS, cap=settings.GENERATION_RETRY_MAX_SECONDS)


def _add_usage(total: dict, usage: dict) -> dict:
    merged = dict(total)
    for key, value in usage.items():
        if isinstance(value, (int, float)):
            merged[key] = merged.get(key, 0) + value
    return merged


def stored_outputs(generation: Generation) -> set[int]:
    """The output indexes already stored (by an earlier attempt): they are not asked for again."""
    return set(generation.assets.values_list("output_index", flat=True))


def output_parents(generation: Generation, index: int, sources: list | None = None) -> list[tuple[Asset, str]]:
    """The lineage of output `index`: each source asset under the kind's relation, and outputs
    after the first of a multi-image job are variations of the first. `sources`: the job's
    GenerationSource rows, if the caller has them."""
    if sources is None:
        sources = list(generation.sources.select_related("asset"))
    relation = kinds.get_kind(generation.kind).relation
    parents = [(source.asset, relation) for source in sources]
    first = Asset.objects.filter(generation=generation, output_index=0).first() if index else None
    if first is not None:
        parents.append((first, Relation.VARIATION_OF))
    return parents


def store_output(generation: Generation, attempt: int, index: int, result, *, sources: list | None = None) -> None:
    """Write the output's file, then its rows only while `attempt` is current and the output has no
    row yet (the fenced UPDATE that opens the transaction takes the job's row lock, so no other
    attempt can store, recover or cancel in between). The file goes under this attempt's own key
    before the lock is taken: a 4K image is tens of MB, and on SQLite the lock holds up every
    writer. An attempt that may not store deletes its own file; no file a row points at is ever
    rewritten. The lineage is worked out here (output_parents).

    The answer in hand is never thrown away for an outage: the file write rides out the object
    store being away, the rows ride out the database being away (the whole transaction is tried
    again on a fresh connection; a commit whose answer was lost is found by the row it made)."""
    what = f"storing output {index} of generation {generation.pk}"
    parents = ride_out(lambda: output_parents(generation, index, sources), what=what, kind=Outage.DATABASE)
    answer = result.images[0].data
    hook = kinds.get_kind(generation.kind).output_hook
    if hook:  # e.g. a region edit's answer composited into its source
        answer = ride_out(lambda: import_string(hook)(generation, sources, answer), what=what)
    image = inspect_generated(answer)
    if not ride_out(lambda: Generation.objects.fenced(generation.pk, attempt).exists(), what=what, kind=Outage.DATABASE):
        raise Superseded  # replaced while it waited for the model: nothing to write
    key = generation_output_key(project_id=generation.project_id, generation_id=generation.pk, index=index, attempt=attempt, extension=image.extension)
    ride_out(lambda: file_write(key, image.data), what=what, kind=Outage.STORAGE)
    if settings.GENERATION_TEST_ONLY_STORE_DELAY_SECONDS:  # tests only: a window to kill the worker between file and row
        time.sleep(settings.GENERATION_TEST_ONLY_STORE_DELAY_SECONDS)
    model_parts = []
    try:
        model_parts = ride_out(
            lambda: model_parts_store(parts=result.parts, asset_key=key, asset_part=result.images[0].part_index, asset_sha256=image.sha256),
            what=what, kind=Outage.STORAGE,
        )
        stored_key = ride_out(lambda: _output_rows(generation, attempt, index, result, key, image, model_parts, parents), what=what, kind=Outage.DATABASE)
    except Exception:
        _output_files_delete(key, model_parts)  # no row points at these bytes
        raise
    if stored_key is not None:
        logger.warning("output %s of generation %s was already stored", index, generation.pk)
        if stored_key != key:  # by another attempt: ours is no one's
            _output_files_delete(key, model_parts)


def _output_rows(generation: Generation, attempt: int, index: int, result, key: str, image, model_parts: list, parents: list) -> str | None:
    """The output's asset and the job's usage, in one transaction fenced on the attempt; returns the
    key of the asset that was there already (None when this made it). Tried again whole after a
    lost connection: an asset found under this very key is the one an earlier try committed."""
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
    return None if stored_key == key else stored_key


def _output_files_delete(key: str, model_parts: list[dict]) -> None:
    try:
        file_delete(key)
        model_parts_delete(model_parts, asset_key=key)
    except Exception as error:  # e.g. the store still away: an orphan file, never a row without its file
        logger.warning("could not delete unused output file %s (left as an orphan): %s", key, error)


def run(*, generation_id) -> None:
    """Run a queued interactive job once. Safe to call twice with the same id: the claim lets one through."""
    attempt = claim(generation_id)
    if attempt is None:
        return
    generation = ride_out(
        lambda: Generation.objects.select_related("project", "created_by").get(pk=generation_id),
        what=f"loading generation {generation_id}", kind=Outage.DATABASE,
    )
    context = job_context.set({"job_id": str(generation.pk), "project_id": str(generation.project_id)})
    try:
        with Heartbeat(generation.pk, attempt):
            _run_claimed(generation, attempt)
    finally:
        job_context.reset(context)


def _run_claimed(generation: Generation, attempt: int) -> None:
    try:
        what = f"preparing generation {generation.pk}"
        sources = ride_out(lambda: list(generation.sources.select_related("asset__generation")), what=what, kind=Outage.DATABASE)
        request = ride_out(lambda: build_request(generation, sources), what=what)  # reads reference images
        # Outputs stored by earlier attempts are not asked for again; a first attempt has none.
        done = ride_out(lambda: stored_outputs(generation), what=what, kind=Outage.DATABASE) if attempt > 1 else set()
        reserved = generation.reserved_slot_at
        for index in range(generation.count):
            if index in done:
                continue
            if not ride_out(lambda: Generation.objects.fenced(generation.pk, attempt).exists(), what=what, kind=Outage.DATABASE):
                raise Superseded
            result = _call_upstream(generation, request, reserved)
            reserved = None
            store_output(generation, attempt, index, result, sources=sources)
    except Superseded:
        logger.warning("generation %s attempt %s was superseded; it stops without writing", generation.pk, attempt)
        return
    except SlotLater as later:
        wait_for_slot(generation, attempt, later.slot_at)
        return
    except GatewayError as error:
        retry_or_fail(generation, attempt, error.code, error.message, retryable=error.retryable, error=error)
        return
    except ValidationFailed as error:
        retry_or_fail(generation, attempt, error.code, error.message, retryable=False)
        return
    except DatabaseError as error:  # a failed write rolled back whole (asset, rendition, lineage): retry
        logger.exception("generation %s hit a database error", generation.pk)
        retry_or_fail(generation, attempt, "database_error", f"{error.__class__.__name__}: {error}", retryable=True)
        return
    except Exception as error:  # storage or other trouble: retry, then fail with the reason
        logger.exception("generation %s crashed", generation.pk)
        retry_or_fail(generation, attempt, "internal_error", f"{error.__class__.__name__}: {error}", retryable=True)
        return
    _settle(lambda: finish(generation, attempt, Status.SUCCEEDED, error_code="", error_message=""), generation)


def _settle(step, generation: Generation):
    """A job's closing write (finish, retry, wait), tried again through a database blip. A commit
    whose answer was lost finds the row moved already on the next try and changes nothing; its
    announcement is then sent by the `announce_missed` sweep."""
    return ride_out(step, what=f"settling generation {generation.pk}", kind=Outage.DATABASE)


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
    # Not fenced: a superseded attempt's call was still made (and paid for). Ridden out: the call
    # was made, so its answer must not be lost to a database blip before it is stored.
    ride_out(
        lambda: Generation.objects.filter(pk=generation.pk).update(upstream_calls=F("upstream_calls") + 1, reserved_slot_at=None),
        what=f"counting the call of generation {generation.pk}", kind=Outage.DATABASE,
    )


def wait_for_slot(generation: Generation, attempt: int, slot_at: float) -> None:
    """running -> queued until the slot reserved for this job: the worker thread goes on to jobs
    that can run now. Not a failure, so it uses up no retry."""
    _settle(lambda: _wait_for_slot(generation, attempt, slot_at), generation)


def _wait_for_slot(generation: Generation, attempt: int, slot_at: float) -> None:
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
            enqueue(generation.pk, countdown=delay)


def retry_or_fail(generation: Generation, attempt: int, code: str, message: str, *, retryable: bool, error: GatewayError | None = None) -> None:
    """After a failed attempt: back to queued with a backoff while retries are left (and the error
    says retrying may help), else the final transition to failed."""
    _settle(lambda: _retry_or_fail(generation, attempt, code, message, retryable=retryable, error=error), generation)


def _retry_or_fail(generation: Generation, attempt: int, code: str, message: str, *, retryable: bool, error: GatewayError | None = None) -> None:
    failed_attempts = Generation.objects.get(pk=generation.pk).failed_attempts
    if retryable and failed_attempts < settings.GENERATION_MAX_ATTEMPTS:
        delay = retry_delay(failed_attempts, error)
        with transaction.atomic():
            moved = Generation.objects.move(
                generation.pk, frm=Status.RUNNING, to=Status.QUEUED, attempt=attempt,
                error_code=code,
                error_message=f"Attempt {failed_attempts} failed, retrying in {delay:.1f} s: {message}",
                next_attempt_at=timezone.now() + timedelta(seconds=delay),
            )
            if moved:
                enqueue(generation.pk, countdown=delay)
        return
    if retryable:
        message = f"{message} (gave up after {failed_attempts} attempts)"
    finish(generation, attempt, Status.FAILED, error_code=code, error_message=message)


@transaction.atomic
def cancel(*, generation: Generation) -> Generation:
    """queued | running -> canceled. A worker still running it finds its attempt superseded and
    stores nothing more; its delivery lets go of what it held; `job_finished` goes out on commit."""
    updated = Generation.objects.move(generation.pk, frm=UNFINISHED, to=Status.CANCELED, finished_at=timezone.now())
    generation.refresh_from_db()
    if not updated:
        raise Conflict(f"This job is already {generation.status}; only queued or running jobs can be canceled.", code="not_cancelable")
    deliveries.backend(generation.delivery).cancel(generation)
    _finished(generation, Status.CANCELED)
    return generation


def recover(*, stale_after: float | None = None) -> int:
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
        resent = deliveries.resent_by_recovery()
        lost = Generation.objects.filter(status=Status.QUEUED, delivery__in=resent).filter(
            Q(next_attempt_at__lt=cutoff) | Q(next_attempt_at__isnull=True, created_at__lt=cutoff)
        ).filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lt=cutoff))
        sent += lost.values_list("pk", flat=True)
        for pk in Generation.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff).values_list("pk", flat=True):
            if Generation.objects.move(pk, frm=Status.RUNNING, to=Status.QUEUED, where=Q(heartbeat_at__lt=cutoff), next_attempt_at=None):
                if Generation.objects.filter(pk=pk, delivery__in=resent).exists():
                    sent.append(pk)
        for pk in sent:
            enqueue(pk)
    if sent:
        logger.info("re-sent %s stale generation(s)", len(sent))
    return len(sent)


def _unsent(resent):
    """Queued jobs whose message never left (the broker was away at the send) and are due."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=timezone.now())
    return Generation.objects.filter(status=Status.QUEUED, delivery__in=resent, enqueued_at__isnull=True).filter(due)


def resend_unsent(*, broker_forgot: bool = False, limit: int = 5000) -> int:
    """Send again what the broker does not hold: queued jobs whose send failed (the broker was
    away), and, when the broker lost every message it held (`broker_forgot`: restarted without
    persistence), every queued job (a job waiting for its retry or its rate-limit slot is sent
    with the rest of its wait). Cheap enough to run every few seconds: one indexed query when
    nothing is missing. A job sent twice is claimed once. Returns how many ids were sent."""
    resent = deliveries.resent_by_recovery()
    now = timezone.now()
    if broker_forgot:
        rows = Generation.objects.filter(status=Status.QUEUED, delivery__in=resent)
    else:
        rows = _unsent(resent)
    rows = list(rows.order_by("created_at").values_list("pk", "next_attempt_at")[:limit])
    with transaction.atomic():
        for pk, due_at in rows:
            enqueue(pk, countdown=max(0.0, (due_at - now).total_seconds()) if due_at else None)
    if rows:
        logger.warning("re-sent %s queued generation(s) the broker %s", len(rows), "lost" if broker_forgot else "never took")
    return len(rows)
