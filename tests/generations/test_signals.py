"""The two signals later features plug into: `job_finished` from every way a job ends and
`asset_stored` for every output and upload, each sent after its transaction commits. `job_finished`
is durable and at-least-once: a job stays unannounced until every receiver took it, and the sweep
announces what a dead worker or a failing receiver left; receivers take a repeat as a no-op."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from apps.assets.models import Asset
from apps.assets.signals import asset_stored
from apps.campaigns.models import StageRun
from apps.generations import engine
from apps.generations.models import Generation, Status
from apps.generations.signals import job_finished
from apps.generations.tasks import announce_missed_generations
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.campaigns.helpers import campaign_body, library
from tests.factories import GenerationFactory
from tests.images import image_bytes
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def heard():
    """What each signal's receiver saw, read back from the database as the receiver found it."""
    log = {"finished": [], "stored": []}

    def on_finished(sender, generation, status, **kwargs):
        row = Generation.objects.get(pk=generation.pk)  # committed: the row already says so
        log["finished"].append((sender, str(generation.pk), status, row.status, row.assets.count()))

    def on_stored(sender, asset, **kwargs):
        log["stored"].append((sender, str(asset.pk), Asset.objects.filter(pk=asset.pk).exists()))

    job_finished.connect(on_finished, dispatch_uid="test.on_finished")
    asset_stored.connect(on_stored, dispatch_uid="test.on_stored")
    yield log
    job_finished.disconnect(dispatch_uid="test.on_finished")
    asset_stored.disconnect(dispatch_uid="test.on_stored")


def create(api, user, project, **body):
    return api(user).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a lighthouse", "image_size": "512", **body}, format="json")


def test_a_finished_job_is_announced_once_after_commit_with_every_output_stored(api, editor, project, upstream, run_tasks_inline, heard):
    job = create(api, editor, project, count=2).json()

    assert heard["finished"] == [(Generation, job["id"], "succeeded", "succeeded", 2)]
    assert Generation.objects.get(pk=job["id"]).announced_at is not None
    outputs = {str(pk) for pk in Asset.objects.filter(generation_id=job["id"]).values_list("pk", flat=True)}
    assert {pk for _, pk, _ in heard["stored"]} == outputs
    assert all(sender is Asset and committed for sender, _, committed in heard["stored"])


def test_a_failed_job_is_announced_as_failed(api, editor, project, upstream, run_tasks_inline, heard):
    job = create(api, editor, project, prompt="a beach [fault:400]").json()

    assert heard["finished"] == [(Generation, job["id"], "failed", "failed", 0)]
    assert heard["stored"] == []


def test_a_canceled_job_is_announced_as_canceled(api, editor, project, heard):
    job = GenerationFactory(project=project, created_by=editor)
    response = api(editor).post(f"/api/v1/generations/{job.pk}/cancel/")

    assert response.status_code == 200
    assert heard["finished"] == [(Generation, str(job.pk), "canceled", "canceled", 0)]
    assert Generation.objects.get(pk=job.pk).announced_at is not None
    # Canceling again is refused and announces nothing more.
    assert api(editor).post(f"/api/v1/generations/{job.pk}/cancel/").status_code == 409
    assert len(heard["finished"]) == 1


def test_an_upload_is_announced_as_stored(api, editor, project, heard):
    answer = api(editor).post(
        f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("a.png", image_bytes(64, 48))}, format="multipart"
    )

    assert answer.status_code == 201, answer.json()
    assert heard["stored"] == [(Asset, answer.json()["id"], True)]


def test_a_failing_receiver_does_not_fail_the_job_and_the_sweep_announces_it_again(
    api, editor, project, upstream, run_tasks_inline, heard, hooks, settings
):
    settings.GENERATION_ANNOUNCE_GRACE_SECONDS = 0
    receiver, endpoints = hooks

    def broken(sender, **kwargs):
        raise RuntimeError("a subscriber's bug")

    job_finished.connect(broken, dispatch_uid="test.broken")
    try:
        job = create(api, editor, project).json()
        assert engine.announce_missed() == 0  # the receiver still fails: still unannounced
    finally:
        job_finished.disconnect(dispatch_uid="test.broken")

    row = Generation.objects.get(pk=job["id"])
    assert row.status == Status.SUCCEEDED and row.announced_at is None
    assert engine.announce_missed() == 1  # the bug fixed: the next sweep announces it
    assert Generation.objects.get(pk=job["id"]).announced_at is not None
    assert engine.announce_missed() == 0
    # Heard three times in all (at least once), yet each endpoint got the event once.
    assert [status for _, _, status, _, _ in heard["finished"]] == ["succeeded"] * 3
    assert sorted(WebhookDelivery.objects.values_list("endpoint_id", "event")) == sorted((e.pk, "generation.succeeded") for e in endpoints)
    assert len(receiver.wait_for(2)) == 2


@pytest.fixture
def hooks(project, settings):
    """A live receiver behind two endpoints of the project, one per generation event."""
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    receiver = Receiver()
    endpoints = [
        WebhookEndpoint.objects.create(project=project, url=receiver.url, events=["generation.succeeded", "campaign.stage_finished"]),
        WebhookEndpoint.objects.create(project=project, url=receiver.url, events=["generation.succeeded", "generation.failed"]),
    ]
    yield receiver, endpoints
    receiver.shutdown()


def finished_behind_our_back(job, status=Status.SUCCEEDED, ago=60):
    """What a worker killed right after its finishing commit leaves: a finished row nobody announced."""
    Generation.objects.filter(pk=job.pk).update(status=status, finished_at=timezone.now() - timedelta(seconds=ago))


def test_the_sweep_announces_a_job_whose_worker_died_after_the_commit(editor, project, run_tasks_inline, heard, hooks):
    receiver, endpoints = hooks
    lost, failed, just_now = (GenerationFactory(project=project, created_by=editor) for _ in range(3))
    finished_behind_our_back(lost)
    finished_behind_our_back(failed, status=Status.FAILED)
    finished_behind_our_back(just_now, ago=1)  # within the grace: its worker may still be announcing

    announce_missed_generations()  # what beat runs
    announce_missed_generations()

    assert sorted(pk for _, pk, _, _, _ in heard["finished"]) == sorted([str(lost.pk), str(failed.pk)])
    assert Generation.objects.filter(announced_at__isnull=True).get().pk == just_now.pk
    sent = sorted((d.endpoint_id == endpoints[0].pk, d.event, d.payload["data"]["generation"]) for d in WebhookDelivery.objects.all())
    assert sent == sorted([
        (True, "generation.succeeded", str(lost.pk)),
        (False, "generation.succeeded", str(lost.pk)),
        (False, "generation.failed", str(failed.pk)),
    ])
    assert len(receiver.wait_for(3)) == 3
    schedule = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "generations.announce_missed" in schedule


def test_announcing_a_campaign_job_twice_sends_each_event_once(api, editor, project, upstream, run_tasks_inline, heard, hooks):
    receiver, endpoints = hooks
    character, products = library(project, products=2)
    campaign = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json").json()
    assert api(editor).post(f"/api/v1/campaigns/{campaign['id']}/run/", {"stage": "drafts"}, format="json").json()["jobs_created"] == 2
    jobs = list(Generation.objects.select_related("project"))
    assert len(heard["finished"]) == 2 and all(job.announced_at for job in jobs)

    for job in jobs:  # the sweep and a slow worker both announcing, say
        assert engine.announce(job)

    assert len(heard["finished"]) == 4
    events = sorted(WebhookDelivery.objects.values_list("event", flat=True))
    assert events == ["campaign.stage_finished"] + ["generation.succeeded"] * 4  # 2 jobs x 2 endpoints
    assert StageRun.objects.get().finished_at is not None
    received = receiver.wait_for(5)
    assert len({d["headers"]["webhook-id"] for d in received}) == 5
