from datetime import timedelta

import pytest
from django.utils import timezone

from apps.assets.models import Asset
from apps.generations.models import Generation, Status
from apps.generations.services import generation_recover

pytestmark = pytest.mark.django_db


def make_job(project, user, **fields):
    return Generation.objects.create(project=project, prompt="x", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K", created_by=user, **fields)


def test_recovery_requeues_stale_running_and_lost_queued_jobs_only(project, editor, django_capture_on_commit_callbacks):
    old = timezone.now() - timedelta(hours=1)
    stale = make_job(project, editor, status=Status.RUNNING, heartbeat_at=old)
    alive = make_job(project, editor, status=Status.RUNNING, heartbeat_at=timezone.now())
    lost = make_job(project, editor, status=Status.QUEUED)
    Generation.objects.filter(pk=lost.pk).update(created_at=old)
    done = make_job(project, editor, status=Status.SUCCEEDED, heartbeat_at=old)

    with django_capture_on_commit_callbacks() as enqueued:
        assert generation_recover() == 2

    assert len(enqueued) == 2
    statuses = dict(Generation.objects.values_list("pk", "status"))
    assert statuses[stale.pk] == "queued" and statuses[alive.pk] == "running"
    assert statuses[lost.pk] == "queued" and statuses[done.pk] == "succeeded"


def test_a_storage_failure_leaves_no_half_made_asset(api, editor, project, upstream, run_tasks_inline, settings, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("a file where the storage folder should be")
    settings.GENERATION_MAX_ATTEMPTS = 2
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker), "allow_overwrite": True}}}

    job_id = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a lamp"}, format="json").json()["id"]

    job = api(editor).get(f"/api/v1/generations/{job_id}/").json()
    assert job["status"] == "failed" and job["error"]["code"] == "internal_error"
    assert "gave up after 2 attempts" in job["error"]["message"]
    assert not Asset.objects.exists()
