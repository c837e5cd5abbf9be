"""The two signals later features plug into: `job_finished` from every way a job ends and
`asset_stored` for every output and upload, each sent after its transaction commits."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assets.models import Asset
from apps.assets.signals import asset_stored
from apps.generations.models import Generation, Status
from apps.generations.signals import job_finished
from tests.factories import GenerationFactory
from tests.images import image_bytes

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
    # Canceling again is refused and announces nothing more.
    assert api(editor).post(f"/api/v1/generations/{job.pk}/cancel/").status_code == 409
    assert len(heard["finished"]) == 1


def test_an_upload_is_announced_as_stored(api, editor, project, heard):
    answer = api(editor).post(
        f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("a.png", image_bytes(64, 48))}, format="multipart"
    )

    assert answer.status_code == 201, answer.json()
    assert heard["stored"] == [(Asset, answer.json()["id"], True)]


def test_a_failing_receiver_does_not_fail_the_job(api, editor, project, upstream, run_tasks_inline, heard):
    def broken(sender, **kwargs):
        raise RuntimeError("a subscriber's bug")

    job_finished.connect(broken, dispatch_uid="test.broken")
    try:
        job = create(api, editor, project).json()
    finally:
        job_finished.disconnect(dispatch_uid="test.broken")

    assert Generation.objects.get(pk=job["id"]).status == Status.SUCCEEDED
    assert [status for _, _, status, _, _ in heard["finished"]] == ["succeeded"]
