"""The job engine's races on PostgreSQL, with real parallel requests to gunicorn and real worker
processes, each bounded in count and time: budget, Idempotency-Key, last owner, and a worker slower
than the stale timeout. (On SQLite the same requests are serialised by IMMEDIATE transactions.)"""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.files.storage import default_storage

from apps.assets.models import Asset
from apps.generations.models import FINISHED, Generation
from apps.generations.services import generation_recover
from apps.projects.models import Membership, Role
from tests.integration.conftest import Rest
from tests.waiting import wait_for

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PARALLEL = 16


def in_parallel(calls, workers=PARALLEL):
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda call: call(), calls))


def own_client(rest: Rest) -> Rest:
    """One HTTP session per thread (requests' sessions are not shared across threads)."""
    return Rest(rest.base_url, rest.session.headers["Authorization"].removeprefix("Token "))


def test_parallel_creates_never_overspend_the_budget(rest):
    project = rest.post("/api/v1/projects/", {"name": "Budget", "monthly_budget_usd": "0.09"}).json()  # two 512 jobs
    url = f"/api/v1/projects/{project['id']}/generations/"
    body = {"prompt": "a lemon", "model": "nano-banana-2", "image_size": "512"}

    answers = in_parallel([lambda: own_client(rest).post(url, body) for _ in range(PARALLEL)])

    codes = sorted(a.status_code for a in answers)
    assert codes == [201] * 2 + [402] * (PARALLEL - 2), codes
    assert Generation.objects.filter(project_id=project["id"]).count() == 2


def test_concurrent_retries_with_one_idempotency_key_get_the_one_job(rest):
    project = rest.post("/api/v1/projects/", {"name": "Retries"}).json()
    url = f"/api/v1/projects/{project['id']}/generations/"

    answers = in_parallel([
        lambda: own_client(rest).post(url, {"prompt": "a pear"}, headers={"Idempotency-Key": "order-1234"}) for _ in range(8)
    ], workers=8)

    codes = sorted(a.status_code for a in answers)
    assert codes == [200] * 7 + [201], [(a.status_code, a.text[:200]) for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    assert Generation.objects.filter(project_id=project["id"]).count() == 1


def test_two_owners_demoting_each_other_at_once_leave_an_owner(rest, rest_as):
    for round_number in range(5):
        project = rest.post("/api/v1/projects/", {"name": f"Owners {round_number}"}).json()
        other = rest_as(project["id"], "owner")
        me_id = Membership.objects.get(project_id=project["id"], role=Role.OWNER, user__username="integration-editor").user_id
        other_id = Membership.objects.exclude(user_id=me_id).get(project_id=project["id"]).user_id
        base = f"/api/v1/projects/{project['id']}/members/"

        answers = in_parallel([
            lambda: own_client(rest).session.patch(f"{rest.base_url}{base}{other_id}/", json={"role": "viewer"}, timeout=30),
            lambda: other.session.patch(f"{other.base_url}{base}{me_id}/", json={"role": "viewer"}, timeout=30),
        ], workers=2)

        # One wins; the other is refused as the last owner (409) or, if it came second, as a viewer by then (403).
        codes = sorted(a.status_code for a in answers)
        assert codes in ([200, 403], [200, 409]), [a.text for a in answers]
        assert Membership.objects.filter(project_id=project["id"], role=Role.OWNER).count() == 1


def test_a_worker_slower_than_the_stale_timeout_calls_upstream_once_per_output(rest, start_emulator, start_workers):
    emulator = start_emulator()
    stale = 2
    start_workers(2, base_url=emulator.base_url, concurrency=2, GENERATION_STALE_AFTER_SECONDS=stale)
    project = rest.post("/api/v1/projects/", {"name": "Slow"}).json()
    created = rest.post(f"/api/v1/projects/{project['id']}/generations/",
                        {"prompt": "a 4K skyline [fault:slow=4]", "image_size": "512", "count": 2})
    assert created.status_code == 201, created.text
    job_id = created.json()["id"]

    # Recovery sweeps as often as a busy beat scheduler would, while each 4 s call outlasts the 2 s window.
    def finished():
        generation_recover(stale_after=stale)
        return Generation.objects.get(pk=job_id).status in FINISHED

    wait_for(finished, 60, interval=0.2, what="the slow job finished")

    job = Generation.objects.get(pk=job_id)
    calls = [c for c in emulator.requests_log() if "skyline" in c["prompt"]]
    assert job.status == "succeeded", (job.error_code, job.error_message)
    # Never re-claimed: one call per output.
    assert (len(calls), job.upstream_calls, job.attempts) == (2, 2, 1), (job.error_code, job.error_message)
    assets = list(Asset.objects.filter(generation_id=job_id))
    assert len(assets) == 2
    for asset in assets:
        with default_storage.open(asset.file.name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == asset.sha256
