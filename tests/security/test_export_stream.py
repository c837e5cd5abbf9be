"""Item 3 of issue 18: the export streams stored entries as it reads them, honours the filters it
advertises, and only the roles that deliver work may start it."""

import io
import json
import zipfile

import pytest

from apps.assets.models import Asset, ReviewStatus
from tests.factories import member, stored_asset

pytestmark = pytest.mark.django_db


def export(api, user, project, query=""):
    return api(user).get(f"/api/v1/projects/{project.id}/exports/{query}")


def approved(project, **kwargs):
    asset = stored_asset(project, **kwargs)
    Asset.objects.filter(pk=asset.pk).update(review_status=ReviewStatus.APPROVED)
    return asset


def test_the_export_streams_stored_entries_first_file_first(api, project, editor):
    first, second = approved(project, width=300, height=200), approved(project, width=200, height=300)
    response = export(api, editor, project)

    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip" and "attachment" in response["Content-Disposition"]
    chunks = iter(response.streaming_content)
    head = next(chunks)
    assert head.startswith(b"PK\x03\x04") and f"assets/{first.pk}.png".encode() in head  # the first file's header, at once
    archive = zipfile.ZipFile(io.BytesIO(head + b"".join(chunks)))
    assert [i.filename for i in archive.infolist()] == [f"assets/{first.pk}.png", f"assets/{second.pk}.png", "manifest.json"]
    assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    assert archive.testzip() is None


@pytest.mark.parametrize(
    ("query", "expected"),
    [("", {"approved"}), ("?review_status=pending", {"pending"}), ("?kind=upload", {"approved"}), ("?kind=edit", set()), ("?model=none-such", set())],
)
def test_the_export_honours_the_filters_it_advertises(api, project, editor, query, expected):
    approved(project)
    stored_asset(project)
    response = export(api, editor, project, query)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("manifest.json"))
    assert {a["review_status"] for a in manifest["assets"]} == expected


def test_an_unknown_filter_value_is_a_clear_400(api, project, editor):
    response = export(api, editor, project, "?review_status=lost")
    assert response.status_code == 400 and response.json()["error"]["field"] == "review_status"


@pytest.mark.parametrize(("role", "status"), [("owner", 200), ("editor", 200), ("reviewer", 200), ("viewer", 403)])
def test_who_may_export(api, project, role, status):
    response = export(api, member(project, role), project)
    assert response.status_code == status
    if status == 403:
        assert "Allowed roles: editor, reviewer, owner" in response.json()["error"]["message"]
