"""A database error while a job stores its output leaves no half-made asset; a passing one (the
connection lost, the database locked or restarting) is ridden out: the rows are written again on a
fresh connection from the answer in hand, so the upstream call is not paid twice.

The fault is injected below the code under test: a `django.db` execute wrapper makes the
database itself refuse an INSERT into one table, the way a constraint, a lock timeout or a
dropped connection would. The job runs for real (emulator over HTTP, real task code)."""

import hashlib
import re
from datetime import timedelta
from contextlib import contextmanager

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone
from django.db import IntegrityError, OperationalError, connection

from apps.assets.models import Asset, AssetLink, Rendition
from apps.generations.models import Generation
from tests.factories import stored_asset
from tests.waiting import wait_for
from tests.images import open_image

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def quick_outages(settings):
    """A short outage budget, so a database that keeps refusing gives up in a fraction of a second."""
    settings.DATABASE_OUTAGE_SECONDS = 0.4
    settings.OUTAGE_RETRY_BASE_SECONDS = 0.02
    settings.OUTAGE_RETRY_MAX_SECONDS = 0.1

REFUSED: list[str] = []  # every INSERT refused in this module's tests (bench/hardening_figures.py counts them)
ERRORS = {
    "integrity": lambda table: IntegrityError(f"injected: constraint failed on {table}"),
    "operational": lambda table: OperationalError("injected: database is locked"),
}


@contextmanager
def database_refuses(table: str, error: str, times: int | None = None):
    """The next `times` INSERTs into `table` (all of them when None) fail in the database layer."""
    refused = []

    def wrapper(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith(f'INSERT INTO "{table.upper()}"') and (times is None or len(refused) < times):
            refused.append(sql)
            REFUSED.append(sql)
            raise ERRORS[error](table)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield refused


def job_files(project, job_id) -> list[str]:
    """The job's files, each thumbnail's per-making suffix left out (0.thumb-384.1a2b3c4d.webp: 0.thumb-384.webp)."""
    folder = f"projects/{project.id}/generations/{job_id}"
    names = default_storage.listdir(folder)[1] if default_storage.exists(folder) else []
    return sorted(re.sub(r"\.[0-9a-f]{8}\.webp$", ".webp", name) for name in names)


def create(api, user, project, **body):
    response = api(user).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a lighthouse"} | body, format="json")
    assert response.status_code == 201, response.json()
    return api(user).get(f"/api/v1/generations/{response.json()['id']}/").json()


@pytest.mark.parametrize(
    ("error", "attempts", "files"),
    [
        # A refusal: the attempt fails, the retry asks for the image again, once.
        ("integrity", 2, ["0.a2.png", "0.a2.thumb-384.webp"]),
        # An outage: the same attempt writes the rows again from the answer in hand.
        ("operational", 1, ["0.a1.png", "0.a1.thumb-384.webp"]),
    ],
)
@pytest.mark.parametrize("table", ["assets_asset", "assets_assetlink"])
def test_a_failed_write_is_retried_to_exactly_one_asset(api, editor, project, upstream, run_tasks_inline, table, error, attempts, files):
    source = stored_asset(project, user=editor)
    with database_refuses(table, error, times=1) as refused:
        job = create(api, editor, project, kind="edit", prompt="make it blue", source_assets=[str(source.id)])

    assert len(refused) == 1
    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == attempts and len(upstream.state.log) == attempts
    assert Generation.objects.get(pk=job["id"]).upstream_calls == attempts
    [asset] = Asset.objects.filter(generation_id=job["id"])
    assert Rendition.objects.filter(asset=asset).count() == 1
    assert list(AssetLink.objects.filter(child=asset).values_list("parent_id", "relation")) == [(source.id, "edited_from")]
    assert job_files(project, job["id"]) == files  # a refused attempt's file is gone
    stored = default_storage.open(asset.file.name).read()
    assert hashlib.sha256(stored).hexdigest() == asset.sha256 and len(stored) == asset.size_bytes


def test_a_refused_thumbnail_never_fails_the_job_and_is_made_on_the_first_request(api, editor, project, upstream, run_tasks_inline):
    """The thumbnail is made after the job is done: its failed write leaves no row and no file,
    and the first request for it makes it."""
    with database_refuses("assets_rendition", "operational", times=1) as refused:
        job = create(api, editor, project)

    assert len(refused) == 1
    assert job["status"] == "succeeded" and job["attempts"] == 1
    asset = Asset.objects.get(generation_id=job["id"])
    assert not Rendition.objects.filter(asset=asset).exists() and job_files(project, job["id"]) == ["0.a1.png"]
    thumb = api(editor).get(f"/api/v1/assets/{asset.pk}/thumbnail/")
    assert thumb.status_code == 200 and max(open_image(b"".join(thumb.streaming_content)).size) == 384
    assert Rendition.objects.filter(asset=asset).count() == 1 and job_files(project, job["id"]) == ["0.a1.png", "0.a1.thumb-384.webp"]


@pytest.mark.parametrize("error", ERRORS)
def test_a_database_that_keeps_refusing_fails_the_job_with_nothing_left_behind(api, editor, project, upstream, run_tasks_inline, settings, error):
    settings.GENERATION_MAX_ATTEMPTS = 3
    with database_refuses("assets_asset", error) as refused:
        job = create(api, editor, project)

    # A refusal fails the attempt at once; an outage is ridden out for DATABASE_OUTAGE_SECONDS first.
    assert len(refused) == 3 if error == "integrity" else len(refused) > 3
    assert job["status"] == "failed" and job["error"]["code"] == "database_error"
    assert "gave up after 3 attempts" in job["error"]["message"] and "injected" in job["error"]["message"]
    assert job["assets"] == [] and job["attempts"] == 3 and len(upstream.state.log) == 3
    assert not Asset.objects.filter(generation_id=job["id"]).exists()
    assert not Rendition.objects.filter(asset__generation_id=job["id"]).exists()
    assert job_files(project, job["id"]) == []  # no orphan file in storage


def test_outputs_stored_before_the_fault_are_kept_and_not_asked_for_again(api, editor, project, upstream, run_tasks_inline):
    """Three variations; the second output's INSERT meets a lost connection once: its rows are
    written again from the answer in hand, nothing is asked for twice."""
    calls = {"n": 0}

    def second_insert_fails(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith('INSERT INTO "ASSETS_ASSET"'):
            calls["n"] += 1
            if calls["n"] == 2:
                REFUSED.append(sql)
                raise OperationalError("injected: database is locked")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(second_insert_fails):
        job = create(api, editor, project, count=3, image_size="512")

    assert job["status"] == "succeeded", job["error"]
    assert [a["output_index"] for a in job["assets"]] == [0, 1, 2]
    assert len(upstream.state.log) == 3 and Generation.objects.get(pk=job["id"]).upstream_calls == 3  # one call per output
    assert job["attempts"] == 1
    assert Asset.objects.filter(generation_id=job["id"]).count() == 3 == Rendition.objects.filter(asset__generation_id=job["id"]).count()
    assert job_files(project, job["id"]) == [  # all from the one attempt
        "0.a1.png", "0.a1.thumb-384.webp", "1.a1.png", "1.a1.thumb-384.webp", "2.a1.png", "2.a1.thumb-384.webp",
    ]


def test_a_lost_connection_while_claiming_counting_and_settling_is_ridden_out(api, editor, project, upstream, run_tasks_inline):
    """Each of the job's own writes (the claim, the call count, the final move) meets a dropped
    connection once: the job still ends succeeded in one attempt with one call."""
    failed = set()

    def first_of_each_fails(execute, sql, params, many, context):
        text = sql.lstrip().upper()
        if text.startswith('UPDATE "GENERATIONS_GENERATION"'):
            step = "claim" if "STARTED_AT" in text else "count" if "UPSTREAM_CALLS" in text else "finish" if "FINISHED_AT" in text else None
            if step and step not in failed:
                failed.add(step)
                REFUSED.append(sql)
                raise OperationalError("injected: server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    with connection.execute_wrapper(first_of_each_fails):
        job = create(api, editor, project)

    assert failed == {"claim", "count", "finish"}
    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == 1 and len(upstream.state.log) == 1
    assert Generation.objects.get(pk=job["id"]).upstream_calls == 1
    assert Asset.objects.filter(generation_id=job["id"]).count() == 1


def test_the_heartbeat_survives_a_lost_connection(settings, editor, project, monkeypatch):
    """A beat that fails is skipped; the next one, on a fresh connection, keeps the job alive."""
    from apps.generations.engine import Heartbeat
    from apps.generations.models import Generation as Model

    settings.GENERATION_STALE_AFTER_SECONDS = 0.4  # a beat every 0.1 s
    job = Model.objects.create(project=project, prompt="a kite", created_by=editor, status="running", attempts=1,
                               heartbeat_at=timezone.now() - timedelta(minutes=1))
    beats = []
    real_beat = Model.objects.beat

    def flaky_beat(pk, attempt):
        beats.append(pk)
        if len(beats) == 1:
            raise OperationalError("injected: terminating connection due to administrator command")
        return real_beat(pk, attempt)

    monkeypatch.setattr(Model.objects, "beat", flaky_beat)
    before = Model.objects.get(pk=job.pk).heartbeat_at
    with Heartbeat(job.pk, 1):
        wait_for(lambda: len(beats) >= 3, 10, what=lambda: f"three beats, the first failing (saw {len(beats)})")
    assert Model.objects.get(pk=job.pk).heartbeat_at != before
