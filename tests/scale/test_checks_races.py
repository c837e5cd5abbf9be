"""Brand checks on the production profile: outputs stored at once through gunicorn, read by a real
worker on the `checks` queue on PostgreSQL, get one reading each; a worker killed mid-check leaves
the asset `checking` (never passed) until the recovery sweep reads it again on another worker."""

from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.checks.models import AssetCheck, CheckStatus
from apps.checks.services import checks_recover
from tests.images import image_bytes
from tests.integration.conftest import Rest
from tests.waiting import wait_for

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

FINISHED = {CheckStatus.PASSED, CheckStatus.ATTENTION, CheckStatus.FAILED}


def upload(rest: Rest, project_id: str, n: int) -> str:
    own = Rest(rest.base_url, rest.session.headers["Authorization"].removeprefix("Token "))  # one session per thread
    answer = own.session.post(f"{rest.base_url}/api/v1/projects/{project_id}/assets/",
                              files={"image": (f"u{n}.png", image_bytes(640 + n, 480, colour=(20 * n, 90, 160)), "image/png")}, timeout=60)
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def readings(asset_ids) -> dict:
    return {str(row.asset_id): row for row in AssetCheck.objects.filter(asset_id__in=asset_ids)}


def test_eight_outputs_stored_at_once_get_one_reading_each(rest, start_emulator, start_workers):
    emulator = start_emulator()
    start_workers(2, base_url=emulator.base_url, concurrency=4)
    project = rest.post("/api/v1/projects/", {"name": "Checks at once"}).json()

    with ThreadPoolExecutor(8) as pool:
        asset_ids = list(pool.map(lambda n: upload(rest, project["id"], n), range(8)))

    def all_read():
        rows = readings(asset_ids)
        return len(rows) == 8 and all(row.status in FINISHED for row in rows.values())

    wait_for(all_read, 240, interval=0.5, what=lambda: f"readings {[(r.status, r.attempts) for r in readings(asset_ids).values()]}")
    rows = readings(asset_ids)
    assert AssetCheck.objects.filter(asset__project_id=project["id"]).count() == 8  # one row per asset
    assert {row.attempts for row in rows.values()} == {1}  # each read once
    assert all(row.finished_at and row.results for row in rows.values())
    assert not AssetCheck.objects.filter(asset__project_id=project["id"], status=CheckStatus.CHECKING).exists()


def test_a_worker_killed_mid_check_leaves_the_asset_checking_until_recovery(rest, start_emulator, start_workers, settings):
    emulator = start_emulator()
    [slow] = start_workers(1, base_url=emulator.base_url, concurrency=1, CHECK_TEST_ONLY_DELAY_SECONDS=120)
    project = rest.post("/api/v1/projects/", {"name": "Checks killed"}).json()
    asset_id = upload(rest, project["id"], 1)

    taken = wait_for(lambda: AssetCheck.objects.filter(asset_id=asset_id, attempts=1, started_at__isnull=False).first(), 60,
                     what="the slow worker took the reading")
    slow.kill()
    assert taken.status == CheckStatus.CHECKING
    row = AssetCheck.objects.get(asset_id=asset_id)
    assert (row.status, row.attempts, row.finished_at, row.results) == (CheckStatus.CHECKING, 1, None, [])

    start_workers(1, base_url=emulator.base_url, concurrency=1)
    settings.CHECK_STALE_AFTER_SECONDS = 0  # the sweep as beat would run it once the reading is stale
    assert checks_recover() == 1

    wait_for(lambda: AssetCheck.objects.get(asset_id=asset_id).status in FINISHED, 120, interval=0.5,
             what=lambda: f"the reading after recovery ({AssetCheck.objects.get(asset_id=asset_id).status})")
    row = AssetCheck.objects.get(asset_id=asset_id)
    assert row.attempts == 2
    assert row.finished_at and row.results
    assert checks_recover() == 0  # nothing left to recover
