"""The job engine under the conditions that broke it: a worker slower than the stale timeout, a
superseded attempt, the shared rate limit, repeated recovery sweeps. Real SDK, real emulator, real
threads; the concurrency proofs on PostgreSQL are in tests/scale/test_job_races.py."""

import hashlib
import threading
import time
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.assets.models import Asset
from apps.generations.models import Generation, Status
from apps.gemini.gateway import ImageResult, OutputImage, TurnPart
from apps.generations.engine import Superseded, store_output
from apps.generations.services import (
    generation_cancel,
    generation_recover,
    generation_run,
)
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import GenerationFactory
from tests.images import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate, timeout=20.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError(f"{what} not met within {timeout} s")


def in_flight(upstream, marker: str) -> bool:
    return any(marker in call["prompt"] and call["status"] is None for call in list(upstream.state.log))


def run_in_thread(generation_id) -> threading.Thread:
    def run():
        from django.db import connection

        try:
            generation_run(generation_id=generation_id)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def stored_file_matches(asset: Asset) -> bool:
    with default_storage.open(asset.file.name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest() == asset.sha256


def test_a_worker_slower_than_the_stale_timeout_keeps_its_job(project, editor, upstream, settings):
    settings.GENERATION_STALE_AFTER_SECONDS = 1
    job = GenerationFactory(project=project, created_by=editor, prompt="a slow heron [fault:slow=2.5]")

    worker = run_in_thread(job.pk)
    requeued = 0
    while worker.is_alive():  # the beat (every 0.25 s) keeps recovery off a live job
        requeued += generation_recover()
        time.sleep(0.1)
    worker.join()

    job.refresh_from_db()
    assert requeued == 0
    assert (job.status, job.attempts, job.upstream_calls) == ("succeeded", 1, 1)
    assert len([c for c in upstream.state.log if "slow heron" in c["prompt"]]) == 1


def test_a_superseded_attempt_changes_nothing_and_writes_no_file(project, editor, upstream):
    WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["generation.succeeded"], secret="s" * 32)
    job = GenerationFactory(project=project, created_by=editor, prompt="a heron [fault:slowx1=2]")

    first = run_in_thread(job.pk)
    wait_for(lambda: in_flight(upstream, "a heron"), what="the first call in flight")
    # The first worker is taken for dead (as if its heartbeat had stopped) and a second one runs the job.
    assert generation_recover(stale_after=-60) == 1
    generation_run(generation_id=job.pk)
    first.join(timeout=30)

    job.refresh_from_db()
    assert (job.status, job.attempts, job.upstream_calls) == ("succeeded", 2, 2)
    [asset] = Asset.objects.filter(generation=job)
    assert asset.response_id == job.response_id and stored_file_matches(asset)  # the winner's bytes, untouched
    assert WebhookDelivery.objects.filter(event="generation.succeeded").count() == 1


def test_a_job_canceled_during_its_call_stores_nothing(project, editor, upstream, private_storage):
    job = GenerationFactory(project=project, created_by=editor, prompt="a crane [fault:slow=1.5]")

    worker = run_in_thread(job.pk)
    wait_for(lambda: in_flight(upstream, "a crane"), what="the call in flight")
    generation_cancel(generation=job)
    worker.join(timeout=30)

    job.refresh_from_db()
    assert job.status == "canceled" and not Asset.objects.exists()
    assert not (private_storage / f"projects/{project.pk}/generations/{job.pk}").exists()


def test_a_job_whose_turn_is_far_off_goes_back_on_the_queue_instead_of_sleeping(api, editor, project, upstream, run_tasks_inline, settings):
    settings.GEMINI_RPM = {"nano-banana-2": 2}  # one call every 30 s
    settings.GEMINI_RATE_WAIT_MAX_SECONDS = 5
    url = f"/api/v1/projects/{project.id}/generations/"

    started = time.monotonic()
    first = api(editor).post(url, {"prompt": "first", "image_size": "512"}, format="json").json()
    second = api(editor).post(url, {"prompt": "second", "image_size": "512"}, format="json").json()
    assert time.monotonic() - started < 5  # no thread slept through the 30 s

    assert Generation.objects.get(pk=first["id"]).status == "succeeded"
    waiting = Generation.objects.get(pk=second["id"])
    assert waiting.status == "queued" and waiting.rate_waits == 1 and waiting.upstream_calls == 0
    # Its row says when it runs: a little before the slot kept for it, 30 s after the first call.
    assert waiting.reserved_slot_at - time.time() == pytest.approx(30, abs=3)
    assert waiting.next_attempt_at.timestamp() == pytest.approx(waiting.reserved_slot_at - 2.5, abs=0.01)
    assert len(upstream.state.log) == 1

    # Sent back at that time, it is claimed, waits out the rest in-thread and runs on the slot it
    # kept; the wait used up no retry. (The clock is moved forward by moving both times back.)
    early = waiting.next_attempt_at.timestamp() - time.time()
    Generation.objects.filter(pk=waiting.pk).update(
        next_attempt_at=waiting.next_attempt_at - timedelta(seconds=early), reserved_slot_at=waiting.reserved_slot_at - early
    )
    started = time.monotonic()
    generation_run(generation_id=waiting.pk)
    assert 2 <= time.monotonic() - started < 5  # the last 2.5 s waited in-thread, then the call
    waiting.refresh_from_db()
    assert (waiting.status, waiting.attempts, waiting.failed_attempts, waiting.upstream_calls) == ("succeeded", 2, 1, 1)


@pytest.mark.django_db(transaction=False)  # to capture the sends instead of making them
def test_recovery_sends_a_lost_job_again_only_once_per_stale_window(project, editor, django_capture_on_commit_callbacks, settings):
    settings.GENERATION_STALE_AFTER_SECONDS = 300
    old = timezone.now() - timedelta(hours=1)
    jobs = GenerationFactory.create_batch(20, project=project, created_by=editor)
    Generation.objects.filter(pk__in=[j.pk for j in jobs]).update(created_at=old, enqueued_at=old)

    with django_capture_on_commit_callbacks(execute=False) as sent:
        swept = [generation_recover() for _ in range(5)]

    assert swept == [20, 0, 0, 0, 0] and len(sent) == 20
    assert Generation.objects.filter(enqueued_at__gt=timezone.now() - timedelta(minutes=1)).count() == 20
    # Once the window has passed without the job running, it is sent again.
    Generation.objects.filter(pk=jobs[0].pk).update(enqueued_at=old)
    assert generation_recover() == 1


def test_every_status_change_follows_the_written_transitions(project, editor):
    job = GenerationFactory(project=project, created_by=editor, status=Status.SUCCEEDED)
    with pytest.raises(ValueError):
        Generation.objects.move(job.pk, frm=Status.SUCCEEDED, to=Status.RUNNING)
    assert not Generation.objects.move(job.pk, frm=Status.QUEUED, to=Status.RUNNING)  # not in that state: no change
    assert Generation.objects.get(pk=job.pk).status == "succeeded"


def _model_answer(image: bytes) -> ImageResult:
    return ImageResult(images=[OutputImage(image, "image/png")], parts=[TurnPart({"inline_data": {"mime_type": "image/png"}}, image)])


def test_an_attempt_writes_only_its_own_file_and_removes_it_when_another_attempt_stored_first(project, editor, upstream, run_tasks_inline):
    """Output files are written before the database lock, under the attempt's own key: an attempt
    that finds the output stored by another deletes its file and leaves the stored one alone."""
    job = GenerationFactory(project=project, created_by=editor, prompt="a stork")
    generation_run(generation_id=job.pk)
    [stored] = Asset.objects.filter(generation=job)
    assert stored.file.name.endswith("/0.a1.png")
    Generation.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=2)  # as a recovery and a new claim would
    job.refresh_from_db()

    store_output(job, 2, 0, _model_answer(image_bytes(64, 48)))

    assert list(Asset.objects.filter(generation=job)) == [stored] and stored_file_matches(stored)
    assert not default_storage.exists(stored.file.name.replace("0.a1.png", "0.a2.png"))


def test_a_superseded_attempt_writes_nothing_even_after_its_answer_came(project, editor, upstream):
    job = GenerationFactory(project=project, created_by=editor, prompt="an ibis")
    Generation.objects.filter(pk=job.pk).update(status=Status.RUNNING, attempts=2)  # attempt 1 was replaced
    with pytest.raises(Superseded):
        store_output(job, 1, 0, _model_answer(image_bytes(64, 48)))
    assert not default_storage.exists(f"projects/{project.pk}/generations/{job.pk}/0.a1.png") and not Asset.objects.exists()
