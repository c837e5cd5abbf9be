"""Jobs delivered through the Batch API: group, submit once, poll, store results like interactive jobs.

A batch job stays `queued` while its upstream batch works. The state changes are the job
engine's own public steps (apps/generations/engine.py): a job is claimed queued -> running only
when its results are here, its outputs are stored by the same step interactive runs use (files,
sha256, lineage, usage, cost at the batch price, `asset_stored`), and it finishes through the same
final transition (`job_finished`). The batch row's own states move by its transitions table
(apps/batches/models.py).

Upstream create is not idempotent. The order that makes a crash harmless: our batch row (whose
display name derives from its id) is committed first; the create call comes after a lookup of
that display name; the upstream name is recorded last. A worker that dies anywhere in between
leaves a `SUBMITTING` row whose lease runs out, and the poller repeats lookup-then-create.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from apps.batches.models import OPEN, TRANSITIONS, BatchRequest, BatchState, UpstreamBatch
from apps.core.exceptions import ValidationFailed
from apps.core.tasks import send, send_on_commit
from apps.gemini import batches as gateway
from apps.gemini.gateway import GatewayError
from apps.generations import engine
from apps.generations.models import UNFINISHED, Delivery, Generation, Status

logger = logging.getLogger(__name__)

# What a job that never got its result is failed with, by how its batch ended. Every one of these
# may be re-run (batch or interactive): nothing about the request itself was wrong.
BATCH_END_ERRORS = {
    BatchState.EXPIRED: ("batch_expired", "The upstream batch {name} expired before it finished; run the job again (batch or interactive)."),
    BatchState.FAILED: ("batch_failed", "The upstream batch {name} failed; run the job again (batch or interactive)."),
    BatchState.CANCELLED: ("batch_canceled", "The upstream batch {name} was cancelled before it finished; run the job again."),
}
RETRYABLE_CODES = frozenset(code for code, _message in BATCH_END_ERRORS.values())


def batch_delivery_check() -> None:
    """Refuse batch delivery where the upstream cannot take it (Vertex AI), naming the field."""
    reason = gateway.batch_unavailable_reason()
    if reason:
        raise ValidationFailed(reason, field="delivery", details={"value": Delivery.BATCH, "allowed": [Delivery.INTERACTIVE]})


_pending = threading.local()


def batch_enqueue(generation_ids: list) -> None:
    """After the jobs' transaction commits, group and submit them. Every batch job made in one
    transaction (a campaign stage creating many) goes in one message, so one upstream batch per
    model; ids left over from a rolled-back transaction no longer exist and are skipped."""
    _pending.__dict__.setdefault("ids", []).extend(str(pk) for pk in generation_ids)
    transaction.on_commit(_send_pending)


def _send_pending() -> None:
    ids, _pending.ids = getattr(_pending, "ids", []), []
    if ids:
        send("batches.submit", [ids])


def batch_job_canceled(generation) -> None:
    """The delivery's cancel: once the cancel commits, let go of the job's open upstream batches."""
    send_on_commit("batches.release", [str(generation.pk)])


def batch_group_submit(*, generation_ids: list) -> list[UpstreamBatch]:
    """One upstream batch per model for these queued batch jobs (a request group), each request
    one output of one job. Jobs already in a batch are left where they are."""
    by_model: dict[str, list] = defaultdict(list)
    for pk, model_id in _ungrouped(generation_ids).order_by("created_at").values_list("pk", "model"):
        by_model[model_id].append(pk)
    created = []
    for model_id, ids in by_model.items():
        for _attempt in range(3):  # each conflict means another worker grouped some of them
            generations = list(_ungrouped(ids))
            if not generations:
                break
            try:
                with transaction.atomic():
                    batch = UpstreamBatch.objects.create(project_id=generations[0].project_id, model=model_id)
                    BatchRequest.objects.bulk_create(
                        [BatchRequest(batch=batch, generation=g, output_index=i) for g in generations for i in range(g.count)]
                    )
            except IntegrityError:  # another worker grouped some of these first; group the rest
                continue
            created.append(batch)
            break
    for batch in created:  # each committed before its create call
        batch_submit(batch_id=batch.pk)
    return created


def _ungrouped(generation_ids):
    return Generation.objects.filter(pk__in=generation_ids, status=Status.QUEUED, delivery=Delivery.BATCH, batch_requests__isnull=True)


def _lease(batch_id, *, only_fresh: bool = False) -> bool:
    """Hold the batch for this worker; `only_fresh` takes a row no one ever held (its first submit)."""
    now = timezone.now()
    free = Q(lease_until__isnull=True) if only_fresh else Q(lease_until__isnull=True) | Q(lease_until__lt=now)
    return bool(
        UpstreamBatch.objects.filter(free, pk=batch_id, collected_at__isnull=True)
        .update(lease_until=now + timedelta(seconds=settings.BATCH_LEASE_SECONDS))
    )


def _release(batch_id) -> None:
    UpstreamBatch.objects.filter(pk=batch_id).update(lease_until=None)


def batch_submit(*, batch_id, resume: bool = False) -> None:
    """Make sure the upstream batch exists exactly once, then record its name.

    `resume`: the poller taking over a row whose submitter's lease ran out (or never started);
    only then can an earlier create have happened, so only then is upstream searched first."""
    if not _lease(batch_id, only_fresh=not resume):
        return
    batch = UpstreamBatch.objects.get(pk=batch_id)
    if batch.state != BatchState.SUBMITTING:
        _release(batch.pk)
        return
    try:
        # A fresh row was never sent: only a takeover can find an upstream batch made before a crash.
        found = gateway.batch_find(display_name=batch.display_name) if resume else None
        if not _wanted(batch):  # every job was canceled while it was being submitted
            if found is not None:
                gateway.batch_cancel(name=found.name)
            UpstreamBatch.objects.move(
                batch.pk, frm=BatchState.SUBMITTING, to=BatchState.CANCELLED,
                upstream_name=found.name if found else "", collected_at=timezone.now(), lease_until=None,
            )
            return
        if found is None:
            items = [
                gateway.BatchItem(key=request.key, request=engine.build_request(request.generation))
                for request in batch.requests.select_related("generation")
            ]
            found = gateway.batch_submit(display_name=batch.display_name, model_id=batch.model, items=items)
        else:
            logger.warning("batch %s was already created upstream as %s; recording it", batch.pk, found.name)
        state = found.state
        if not TRANSITIONS.allows(BatchState.SUBMITTING, state):  # a state we do not know: open until read again
            logger.warning("batch %s: upstream reported %s on submit; recorded as pending", batch.pk, state)
            state = BatchState.PENDING
        UpstreamBatch.objects.move(
            batch.pk, frm=BatchState.SUBMITTING, to=state, upstream_name=found.name, last_checked_at=timezone.now(), lease_until=None
        )
    except GatewayError as error:
        if error.retryable:
            logger.warning("batch %s: submit failed, the poller retries: %s", batch.pk, error.message)
            # Let the poller take it over at once rather than after a full lease.
            UpstreamBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now())
            return
        _fail_open_jobs(batch, error.code, error.message)
        UpstreamBatch.objects.move(
            batch.pk, frm=BatchState.SUBMITTING, to=BatchState.FAILED, error_message=error.message, collected_at=timezone.now(), lease_until=None
        )


def _wanted(batch: UpstreamBatch) -> bool:
    """Whether any job in the batch still waits for its result."""
    return batch.requests.filter(generation__status__in=UNFINISHED).exists()


def batch_poll() -> int:
    """The beat's work: finish stalled submissions, check open batches, collect ended ones.
    Returns how many batches were looked at."""
    now = timezone.now()
    looked = 0
    # Batch jobs whose grouping message was lost (a worker died right after their commit).
    ungrouped = Generation.objects.filter(
        status=Status.QUEUED, delivery=Delivery.BATCH, batch_requests__isnull=True,
        created_at__lt=now - timedelta(seconds=settings.BATCH_LEASE_SECONDS),
    )
    looked += len(batch_group_submit(generation_ids=list(ungrouped.values_list("pk", flat=True))))
    stalled = UpstreamBatch.objects.filter(state=BatchState.SUBMITTING, collected_at__isnull=True).filter(
        Q(lease_until__lt=now) | Q(lease_until__isnull=True, created_at__lt=now - timedelta(seconds=settings.BATCH_LEASE_SECONDS))
    )
    for batch_id in stalled.values_list("pk", flat=True):
        batch_submit(batch_id=batch_id, resume=True)
        looked += 1
    open_batches = UpstreamBatch.objects.filter(collected_at__isnull=True).exclude(upstream_name="").exclude(state=BatchState.SUBMITTING)
    for batch_id in open_batches.values_list("pk", flat=True):
        batch_check(batch_id=batch_id)
        looked += 1
    return looked


def batch_check(*, batch_id) -> None:
    """Read the upstream state; when it has ended, store every result or fail every open job."""
    if not _lease(batch_id):
        return
    try:
        batch = UpstreamBatch.objects.get(pk=batch_id)
        try:
            outcome = gateway.batch_check(name=batch.upstream_name)
        except GatewayError as error:
            logger.warning("batch %s: check failed, next poll retries: %s", batch.pk, error.message)
            UpstreamBatch.objects.filter(pk=batch.pk).update(error_message=error.message, last_checked_at=timezone.now())
            return
        _record_state(batch, outcome.state)
        if not outcome.done:
            return
        if outcome.state == BatchState.SUCCEEDED:
            _store_results(batch, outcome)
        else:
            code, message = BATCH_END_ERRORS[outcome.state]
            _fail_open_jobs(batch, code, message.format(name=batch.upstream_name))
        UpstreamBatch.objects.filter(pk=batch.pk).update(collected_at=timezone.now())
    finally:
        _release(batch_id)


def _record_state(batch: UpstreamBatch, reported: str) -> None:
    """What upstream reports, by the transitions table: the same state is no move; a move the table
    does not have (backwards, or a state we do not know) is logged and not recorded."""
    now = timezone.now()
    if reported != batch.state and TRANSITIONS.allows(batch.state, reported):
        if UpstreamBatch.objects.move(batch.pk, frm=batch.state, to=reported, last_checked_at=now):
            batch.state = reported
            return
    elif reported != batch.state:
        logger.warning("batch %s: upstream reported %s while recorded %s; not a move we make", batch.pk, reported, batch.state)
    UpstreamBatch.objects.filter(pk=batch.pk).update(last_checked_at=now)


def _claimed_jobs(batch: UpstreamBatch):
    """Each job of the batch still waiting, claimed queued -> running with its attempt (the fence
    for every write that follows); a canceled job is skipped."""
    ids = list(batch.requests.values_list("generation_id", flat=True).distinct())
    for generation_id in ids:
        attempt = engine.claim(generation_id)
        if attempt is not None:
            yield Generation.objects.select_related("project", "created_by").get(pk=generation_id), attempt


def _store_results(batch: UpstreamBatch, outcome: gateway.BatchOutcome) -> None:
    for generation, attempt in _claimed_jobs(batch):
        sources = list(generation.sources.select_related("asset"))
        done = engine.stored_outputs(generation)
        failure: GatewayError | None = None
        try:
            for index in range(generation.count):
                result = outcome.results.get(f"{generation.pk}:{index}")
                if result is None:
                    failure = GatewayError("batch_result_missing", f"The upstream batch {batch.upstream_name} returned no result for output {index}.")
                    break
                if isinstance(result, GatewayError):
                    failure = result
                    break
                if index not in done:
                    engine.store_output(generation, attempt, index, result, sources=sources)
        except engine.Superseded:  # canceled meanwhile: nothing more is written for it
            continue
        except Exception as error:  # storage or database trouble: the job fails with the reason, the batch is still collected
            logger.exception("batch %s: storing job %s failed", batch.pk, generation.pk)
            failure = GatewayError("internal_error", f"{error.__class__.__name__}: {error}")
        if failure is None:
            engine.finish(generation, attempt, Status.SUCCEEDED, error_code="", error_message="")
        else:
            engine.finish(generation, attempt, Status.FAILED, error_code=failure.code, error_message=failure.message)


def _fail_open_jobs(batch: UpstreamBatch, code: str, message: str) -> None:
    for generation, attempt in _claimed_jobs(batch):
        engine.finish(generation, attempt, Status.FAILED, error_code=code, error_message=message)


def batch_release_unwanted(*, generation_id) -> None:
    """After a job is canceled: cancel each of its open upstream batches that no longer carries a
    job anyone waits for. Results that still arrive for a canceled job are dropped."""
    batch_ids = BatchRequest.objects.filter(generation_id=generation_id, batch__collected_at__isnull=True).values_list("batch_id", flat=True)
    for batch in UpstreamBatch.objects.filter(pk__in=list(batch_ids)):
        if _wanted(batch) or not batch.upstream_name:
            continue  # an unconfirmed batch is canceled once the poller has found or made it
        try:
            gateway.batch_cancel(name=batch.upstream_name)
        except GatewayError as error:
            logger.warning("batch %s: cancel failed: %s", batch.pk, error.message)
            continue
        UpstreamBatch.objects.move(
            batch.pk, frm=OPEN, to=BatchState.CANCELLED, where=Q(collected_at__isnull=True),
            last_checked_at=timezone.now(), collected_at=timezone.now(),
        )
