"""A worker SIGKILLed mid-job: the job is recovered from the database and completes exactly once."""

import pytest
from django.core.files.storage import default_storage

from apps.assets.models import Asset
from apps.generations.models import Generation
from tests.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_killed_worker_job_is_recovered_once_without_duplicates(rest, upstream, start_worker):
    env = {"GENERATION_STALE_AFTER_SECONDS": "1"}
    first = start_worker(**env)
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    # The first upstream call takes 4 s, long enough to kill the worker in the middle of it.
    job_id = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "a crane [fault:slowx1=4]"}).json()["id"]
    # Killed while its upstream call is in flight (the emulator logs a call as it arrives).
    wait_for(lambda: any("a crane" in c["prompt"] and c["status"] is None for c in list(upstream.state.log)))

    first.kill()  # SIGKILL: no cleanup, no ack, the message is gone with it
    assert Generation.objects.get(pk=job_id).status == "running"

    start_worker(**env)
    job = rest.wait_for_job(job_id, timeout=30)

    assert job["status"] == "succeeded" and job["attempts"] == 2
    assert Asset.objects.filter(generation_id=job_id).count() == 1
    _, job_files = default_storage.listdir(f"projects/{project['id']}/generations/{job_id}")  # a folder or a bucket
    assert [name for name in job_files if name.endswith(".png")] == ["0.a2.png"]  # one image, the second attempt's; its thumbnail may follow
    calls = [c for c in upstream.state.log if "a crane" in c["prompt"]]
    assert len(calls) == 2  # the killed call and the recovered one, no more


def test_a_worker_killed_between_file_and_row_leaves_an_orphan_the_sweep_removes(rest, upstream, start_worker, settings):
    from apps.generations.models import OrphanSweep
    from apps.generations.orphans import orphans_sweep

    env = {"GENERATION_STALE_AFTER_SECONDS": "1", "GENERATION_TEST_ONLY_STORE_DELAY_SECONDS": "30"}
    first = start_worker(**env)
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    job_id = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "a heron"}).json()["id"]
    folder = f"projects/{project['id']}/generations/{job_id}"
    wait_for(lambda: default_storage.exists(f"{folder}/0.a1.png"), 30, what="the first attempt's file written")
    first.kill()  # between the file and the row that would point at it

    start_worker(GENERATION_STALE_AFTER_SECONDS="1")
    job = rest.wait_for_job(job_id, timeout=30)
    assert job["status"] == "succeeded" and job["attempts"] == 2
    _, names = default_storage.listdir(folder)
    assert {"0.a1.png", "0.a2.png"} <= set(names)  # the killed attempt's bytes, no row points at them

    settings.ORPHAN_MIN_AGE_SECONDS = 0
    sweep = orphans_sweep()
    _, names = default_storage.listdir(folder)
    assert "0.a1.png" not in names and "0.a2.png" in names
    assert sweep.files_removed >= 1 and sweep.bytes_removed > 0
    assert Asset.objects.get(generation_id=job_id).file.name == f"{folder}/0.a2.png"
    assert orphans_sweep().files_removed == 0  # nothing left to remove; the asset's own file stays
    assert OrphanSweep.objects.count() == 2
