"""A database error while a job stores its output leaves no half-made asset.

The fault is injected below the code under test: a `django.db` execute wrapper makes the
database itself refuse an INSERT into one table, the way a constraint, a lock timeout or a
dropped connection would. The job runs for real (emulator over HTTP, real task code)."""

import hashlib
import re
from contextlib import contextmanager

import pytest
from django.core.files.storage import default_storage
from django.db import IntegrityError, OperationalError, connection

from apps.assets.models import Asset, AssetLink, Rendition
from apps.generations.models import Generation
from tests.factories import stored_asset
from tests.images import open_image

pytestmark = pytest.mark.django_db(transaction=True)

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


@pytest.mark.parametrize("error", ERRORS)
@pytest.mark.parametrize("table", ["assets_asset", "assets_assetlink"])
def test_a_failed_write_is_retried_to_exactly_one_asset(api, editor, project, upstream, run_tasks_inline, table, error):
    source = stored_asset(project, user=editor)
    with database_refuses(table, error, times=1) as refused:
        job = create(api, editor, project, kind="edit", prompt="make it blue", source_assets=[str(source.id)])

    assert len(refused) == 1
    assert job["status"] == "succeeded", job["error"]
    assert job["attempts"] == 2 and len(upstream.state.log) == 2  # the lost image was asked for again, once
    [asset] = Asset.objects.filter(generation_id=job["id"])
    assert Rendition.objects.filter(asset=asset).count() == 1
    assert list(AssetLink.objects.filter(child=asset).values_list("parent_id", "relation")) == [(source.id, "edited_from")]
    assert job_files(project, job["id"]) == ["0.a2.png", "0.a2.thumb-384.webp"]  # the refused attempt's file is gone
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

    assert len(refused) == 3
    assert job["status"] == "failed" and job["error"]["code"] == "database_error"
    assert "gave up after 3 attempts" in job["error"]["message"] and "injected" in job["error"]["message"]
    assert job["assets"] == [] and job["attempts"] == 3 and len(upstream.state.log) == 3
    assert not Asset.objects.filter(generation_id=job["id"]).exists()
    assert not Rendition.objects.filter(asset__generation_id=job["id"]).exists()
    assert job_files(project, job["id"]) == []  # no orphan file in storage


def test_outputs_stored_before_the_fault_are_kept_and_not_asked_for_again(api, editor, project, upstream, run_tasks_inline):
    """Three variations; the second output's INSERT fails once. The first is kept, not re-requested."""
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
    assert len(upstream.state.log) == 4 and Generation.objects.get(pk=job["id"]).upstream_calls == 4  # 3 outputs + 1 lost
    assert Asset.objects.filter(generation_id=job["id"]).count() == 3 == Rendition.objects.filter(asset__generation_id=job["id"]).count()
    assert job_files(project, job["id"]) == [  # output 0 kept from attempt 1; 1 and 2 from attempt 2
        "0.a1.png", "0.a1.thumb-384.webp", "1.a2.png", "1.a2.thumb-384.webp", "2.a2.png", "2.a2.thumb-384.webp",
    ]
