"""The shared upstream rate limit under load: three worker processes, the emulator enforcing an RPM
limit, more jobs than fit in a minute. Every job succeeds, the emulator sees at most a handful of
429s, and the total time stays close to the theoretical minimum of (jobs - 1) * 60 / RPM."""

import os
import time

import pytest

from apps.generations.models import FINISHED, Generation
from tests.waiting import wait_for

from .conftest import FIGURES

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

RPM = int(os.environ.get("SCALE_RATE_RPM", "120"))
JOBS = int(os.environ.get("SCALE_RATE_JOBS", "130"))  # more than fit in one minute at RPM
WORKERS, THREADS = 3, 4


def test_three_workers_share_the_limit_without_429_storms(rest, start_emulator, start_workers):
    assert JOBS > RPM
    emulator = start_emulator(latency=0.2, rpm=RPM)
    start_workers(WORKERS, base_url=emulator.base_url, concurrency=THREADS,
                  GEMINI_RPM=f"nano-banana-2={RPM}", GENERATION_RETRY_BASE_SECONDS=0.5)
    project = rest.post("/api/v1/projects/", {"name": "Limited"}).json()

    started = time.monotonic()
    ids = []
    for n in range(JOBS):
        created = rest.post(f"/api/v1/projects/{project['id']}/generations/",
                            {"prompt": f"limited {n}", "model": "nano-banana-2", "image_size": "512"})
        assert created.status_code == 201, created.text
        ids.append(created.json()["id"])
    minimum = (JOBS - 1) * 60 / RPM
    def all_finished():
        rows = list(Generation.objects.filter(pk__in=ids).values_list("status", flat=True))
        return len(rows) == JOBS and all(status in FINISHED for status in rows)

    wait_for(all_finished, minimum * 2 + 60, what=f"all {JOBS} jobs finished")
    elapsed = time.monotonic() - started

    log = emulator.requests_log()
    rejected = sum(call["status"] == 429 for call in log)
    succeeded = Generation.objects.filter(pk__in=ids, status="succeeded").count()
    FIGURES.append(
        f"rate limit: {JOBS} jobs, {WORKERS} worker processes x {THREADS} threads, {RPM} RPM (platform and emulator): "
        f"succeeded {succeeded}/{JOBS}, upstream calls {len(log)}, 429s {rejected}, "
        f"elapsed {elapsed:.1f} s against a theoretical minimum of {minimum:.1f} s ({elapsed / minimum:.2f}x)"
    )
    print(FIGURES[-1])

    assert succeeded == JOBS
    assert rejected <= 5
    assert len(log) == JOBS + rejected  # no call was made twice except after a 429
    assert elapsed >= minimum * 0.95  # the limit held: nothing went faster than RPM allows
    assert elapsed <= minimum * 1.15 + 5  # and throughput stayed close to it
