"""The platform's own infrastructure failing under a running stage, as an operator meets it in
production: PostgreSQL restarted (`pg_ctl restart -m fast`), Redis restarted (messages gone), the
bucket answering 503 for a while. Real worker processes, gunicorn, the emulator over HTTP.

Each test records a figure (seconds from the end of the outage to the last job finished, upstream
calls paid twice, 5xx answers served) in FIGURES, printed at the end of the run and by
bench/infrastructure_faults.py."""

from __future__ import annotations

import os
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.db import connection

from apps.assets.models import Asset
from apps.generations.models import FINISHED, Generation
from apps.generations.services import generations_resend_unsent
from tests import processes
from tests.integration.conftest import Gunicorn, Rest, Worker
from tests.scale.conftest import FIGURES
from tests.waiting import wait_for

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

PG_BIN, PG_DATA, PG_USER = os.environ.get("SCALE_PG_BIN"), os.environ.get("SCALE_PG_DATA"), os.environ.get("SCALE_PG_USER", "")
REDIS_PORT, S3_PORT, SCALE_DIR = os.environ.get("SCALE_REDIS_PORT"), os.environ.get("SCALE_S3_PORT"), os.environ.get("SCALE_DIR")
JOBS = 12


def server_env() -> dict:
    """A restarted server belongs to the stage (bin/test-scale stops it), not to this pytest session."""
    env = dict(os.environ)
    env.pop(processes.SESSION_MARK, None)
    return env


def pg_restart() -> float:
    """`pg_ctl restart -m fast` on the stage's cluster; returns when it accepts connections again."""
    if not (PG_BIN and PG_DATA):
        pytest.skip("needs the scale stage's PostgreSQL (bin/test-scale exports SCALE_PG_BIN, SCALE_PG_DATA)")
    command = [f"{PG_BIN}/pg_ctl", "-D", PG_DATA, "-l", f"{PG_DATA}/server.log", "-m", "fast", "-w", "-t", "60", "restart"]
    if PG_USER:
        command = ["runuser", "-u", PG_USER, "--", *command]
    done = subprocess.run(command, env=server_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=90)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    connection.close()  # this process's own connection died with the server
    return time.monotonic()


def redis_client():
    import redis

    return redis.Redis(host="127.0.0.1", port=int(REDIS_PORT), socket_timeout=5)


def redis_stop() -> None:
    if not (REDIS_PORT and SCALE_DIR):
        pytest.skip("needs the scale stage's Redis (bin/test-scale exports SCALE_REDIS_PORT, SCALE_DIR)")
    import redis

    try:
        redis_client().shutdown(nosave=True)
    except redis.ConnectionError:
        pass  # the server closes the connection as it goes
    wait_for(lambda: not _redis_answers(), 10, what="redis stopped")


def redis_start() -> float:
    subprocess.run(
        ["redis-server", "--bind", "127.0.0.1", "--port", REDIS_PORT, "--save", "", "--appendonly", "no", "--daemonize", "yes",
         "--pidfile", f"{SCALE_DIR}/redis.pid", "--logfile", f"{SCALE_DIR}/redis.log", "--dir", SCALE_DIR],
        env=server_env(), check=True, stdout=subprocess.DEVNULL, timeout=30,
    )
    wait_for(_redis_answers, 10, what="redis back")
    return time.monotonic()


def _redis_answers() -> bool:
    try:
        return bool(redis_client().ping())
    except Exception:
        return False


def bucket_outage(seconds: float) -> None:
    if not S3_PORT:
        pytest.skip("needs the scale stage's S3 server (bin/test-scale exports SCALE_S3_PORT)")
    assert requests.post(f"http://127.0.0.1:{S3_PORT}/_outage", params={"seconds": seconds}, timeout=10).status_code == 200


def create_jobs(rest: Rest, project_id: str, label: str, count: int) -> list[str]:
    ids = []
    for n in range(count):
        answer = rest.post(f"/api/v1/projects/{project_id}/generations/", {"prompt": f"{label} {n}", "image_size": "512"})
        assert answer.status_code == 201, answer.text
        ids.append(answer.json()["id"])
    return ids


def all_finished(ids, *, sweep=None):
    def check():
        if sweep:
            sweep()
        return Generation.objects.filter(pk__in=ids, status__in=FINISHED).count() == len(ids)

    return check


def assert_each_ran_once(ids, emulator, label: str) -> int:
    """Every job succeeded with one asset and one upstream call; returns the calls paid twice."""
    jobs = list(Generation.objects.filter(pk__in=ids))
    assert {job.status for job in jobs} == {"succeeded"}, [(job.status, job.error_code, job.error_message) for job in jobs]
    assert Counter(Asset.objects.filter(generation_id__in=ids).values_list("generation_id", flat=True)) == {job.pk: 1 for job in jobs}
    calls = Counter(c["prompt"] for c in emulator.requests_log() if c["prompt"].startswith(label))
    twice = sum(n - 1 for n in calls.values())
    assert twice == 0 and len(calls) == len(ids), calls
    assert [job.upstream_calls for job in jobs] == [1] * len(ids)
    return twice


def parallel_gets(url: str, token: str, path: str, count: int = 200, threads: int = 16) -> Counter:
    sessions = {}

    def get(_):
        import threading

        session = sessions.setdefault(threading.get_ident(), requests.Session())
        try:
            return session.get(url + path, headers={"Authorization": f"Token {token}"}, timeout=30).status_code
        except requests.RequestException as error:
            return error.__class__.__name__

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return Counter(pool.map(get, range(count)))


def test_a_postgresql_restart_mid_stage_costs_seconds_and_no_500(rest, start_emulator, start_workers, tmp_path):
    emulator = start_emulator(latency=2.0)
    start_workers(2, base_url=emulator.base_url, concurrency=4)
    # The web tier as production runs it (4 workers x 4 threads), its connections kept between requests.
    web = Gunicorn(tmp_path / "gunicorn-pg.log")
    web.env.update(WEB_CONCURRENCY="4", GUNICORN_THREADS="4", CONN_MAX_AGE="60")
    web.start()
    try:
        project = rest.post("/api/v1/projects/", {"name": "PG restart"}).json()
        path = f"/api/v1/projects/{project['id']}/generations/"
        ids = create_jobs(rest, project["id"], "pg restart", JOBS)
        assert parallel_gets(web.url, rest.session.headers["Authorization"].removeprefix("Token "), path, 64) == {200: 64}  # connections kept
        wait_for(lambda: Generation.objects.filter(pk__in=ids, status="running").count() >= 4, 30, interval=0.1, what="jobs in flight")

        restarted = pg_restart()
        answers = parallel_gets(web.url, rest.session.headers["Authorization"].removeprefix("Token "), path)
        wait_for(all_finished(ids), 60, interval=0.5, what="every job finished within 60 s of the restart")
        after = time.monotonic() - restarted
    finally:
        web.stop()

    twice = assert_each_ran_once(ids, emulator, "pg restart")
    served_5xx = sum(n for code, n in answers.items() if isinstance(code, int) and code >= 500)
    assert answers.get(500, 0) == 0 and served_5xx == 0, answers
    FIGURES.append(f"postgresql restart: last of {JOBS} jobs finished {after:.1f} s after the restart; "
                   f"upstream calls paid twice: {twice}; 5xx among 200 requests after it: {served_5xx}")


def test_a_redis_restart_mid_stage_loses_no_job_and_runs_none_twice(rest, start_emulator, start_workers, tmp_path):
    """The scheduler runs inside a worker, as `celery beat` would: after the restart it goes on
    sending its sweeps by itself, and its resend sweep finds the messages Redis lost."""
    emulator = start_emulator(latency=1.0)
    start_workers(1, base_url=emulator.base_url, concurrency=2)
    scheduler = Worker(files_dir=None, base_url=emulator.base_url, log_path=tmp_path / "worker-beat.log", name="worker-beat",
                       extra_env={"RESEND_UNSENT_INTERVAL_SECONDS": "1", "RECOVERY_INTERVAL_SECONDS": "3600", "BATCH_POLL_INTERVAL_SECONDS": "3600"})
    scheduler.start(concurrency=2, extra_args=("-B", "--schedule", str(tmp_path / "beat")))
    try:
        project = rest.post("/api/v1/projects/", {"name": "Redis restart"}).json()
        ids = create_jobs(rest, project["id"], "redis restart", 10)
        wait_for(lambda: Generation.objects.filter(pk__in=ids, status="running").exists(), 30, interval=0.1, what="jobs in flight")

        redis_stop()
        try:
            ids += create_jobs(rest, project["id"], "redis away", 1)  # created while the broker is away: 201
            assert Generation.objects.get(pk=ids[-1]).enqueued_at is None  # marked never sent
            assert generations_resend_unsent() == 0  # a sweep meeting the broker away sends nothing, keeps the mark
        finally:
            back = redis_start()
        wait_for(all_finished(ids), 90, interval=0.5, what="every job finished after redis came back")
        after = time.monotonic() - back
        beat_log = (tmp_path / "worker-beat.log").read_text(errors="replace")
    finally:
        scheduler.stop()

    jobs = list(Generation.objects.filter(pk__in=ids))
    assert {job.status for job in jobs} == {"succeeded"}, [(job.status, job.error_code, job.error_message) for job in jobs]
    assert [job.upstream_calls for job in jobs] == [1] * len(ids)
    assert Counter(Asset.objects.filter(generation_id__in=ids).values_list("generation_id", flat=True)) == {job.pk: 1 for job in jobs}
    calls = Counter(c["prompt"] for c in emulator.requests_log() if c["prompt"].startswith("redis "))
    assert sorted(calls.values()) == [1] * len(ids), calls
    assert beat_log.count("Sending due task resend-unsent-generations") >= 2  # the scheduler kept sending its sweep
    FIGURES.append(f"redis restart: last of {len(ids)} jobs finished {after:.1f} s after redis was back; upstream calls paid twice: 0; "
                   f"a job created while it was away: 201, then ran (sent again by the scheduler's resend sweep)")


def test_a_bucket_outage_holds_stored_outputs_and_downloads_answer_503(rest, start_emulator, start_workers):
    outage = float(os.environ.get("BUCKET_OUTAGE_SECONDS", "30"))
    emulator = start_emulator(latency=1.0)
    start_workers(1, base_url=emulator.base_url, concurrency=4, READYZ_STORAGE_SECONDS=1)
    project = rest.post("/api/v1/projects/", {"name": "Bucket outage"}).json()
    [before] = create_jobs(rest, project["id"], "bucket before", 1)
    asset_id = rest.wait_for_job(before)["assets"][0]["id"]
    assert rest.get(f"/api/v1/assets/{asset_id}/file/").status_code == 200  # redirect to the bucket, followed

    ids = create_jobs(rest, project["id"], "bucket outage", 4)
    wait_for(lambda: Generation.objects.filter(pk__in=ids, status="running").exists(), 30, interval=0.1, what="jobs in flight")
    bucket_outage(outage)
    started = time.monotonic()
    try:
        # Within the storage check's cache (READYZ_STORAGE_SECONDS, 10 s by default) the web tier knows.
        codes = []

        def download_refused():
            answer = rest.get(f"/api/v1/assets/{asset_id}/file/", allow_redirects=False)
            codes.append(answer.status_code)
            return answer.status_code == 503 and [answer]  # (a 503 Response is falsy itself)

        [refused] = wait_for(download_refused, 20, interval=0.5, what="downloads answer 503 while the bucket is away")
        assert refused.headers["Retry-After"] and refused.json()["error"]["code"] == "storage_unavailable"
        assert 500 not in codes, codes
        # Readiness says so too (each web process checks the store at most every READYZ_STORAGE_SECONDS).
        wait_for(lambda: requests.get(rest.base_url + "/readyz", timeout=10).status_code == 503, 15, interval=0.5, what="readyz 503")
        assert time.monotonic() - started < outage  # all of this happened during the outage
        assert Generation.objects.filter(pk__in=ids, status="succeeded").count() < len(ids)  # the outage held them up
    finally:
        wait_for(lambda: time.monotonic() - started >= outage, outage + 5, interval=0.5, what="the outage over")
    ended = time.monotonic()
    wait_for(all_finished(ids), 120, interval=0.5, what="stored outputs completed after the bucket came back")
    after = time.monotonic() - ended
    twice = assert_each_ran_once(ids, emulator, "bucket outage")
    wait_for(lambda: rest.get(f"/api/v1/assets/{asset_id}/file/").status_code == 200, 30, interval=0.5, what="downloads again")
    FIGURES.append(f"bucket outage ({outage:.0f} s): last of {len(ids)} jobs finished {after:.1f} s after it ended; upstream calls paid "
                   f"twice: {twice}; downloads during it: 503 (codes seen: {dict(Counter(codes))})")
