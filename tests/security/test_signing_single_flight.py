"""Signing a credentialed copy costs about a second of CPU per 4K image: one signing per asset and
copy at a time (others wait briefly, then 503 with Retry-After; an export waits it out), and each
person's new signings are limited (429), while copies already made are served freely."""

import io
import threading
import zipfile

import c2pa
import pytest
from django.core.cache import cache

from apps.assets import credentials, signing
from apps.core.throttling import JobCreationThrottle
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def signings(monkeypatch):
    """How many files the C2PA SDK actually signed (the real signer runs; this only counts)."""
    count = {"n": 0}
    real = c2pa.Builder.sign

    def counted(self, *args, **kwargs):
        count["n"] += 1
        return real(self, *args, **kwargs)

    monkeypatch.setattr(c2pa.Builder, "sign", counted)
    return count


def signing_lock(asset) -> str:
    """The cache key a request signing `asset`'s current copy holds."""
    plan = credentials._plan(asset, memo={}, credentials=signing.signing_credentials())
    return f"c2pa-signing:{asset.pk}:{plan.spec}"


def test_a_second_request_while_one_signs_gets_503_with_retry_after_then_the_copy_without_signing_again(api, project, editor, signings, monkeypatch):
    monkeypatch.setattr(credentials, "SIGNING_WAIT_SECONDS", 0.3)
    asset = stored_asset(project, user=editor)
    lock = signing_lock(asset)
    assert cache.add(lock, 1, 60)  # another request is signing this copy

    busy = api(editor).get(f"/api/v1/assets/{asset.id}/file/?credentials=1")
    assert busy.status_code == 503 and busy["Retry-After"]
    error = busy.json()["error"]
    assert error["code"] == "signing_in_progress" and str(asset.id) in error["message"]
    assert signings["n"] == 0

    cache.delete(lock)  # the other request finished (here: it gave up without a copy)
    first = api(editor).get(f"/api/v1/assets/{asset.id}/file/?credentials=1")
    again = api(editor).get(f"/api/v1/assets/{asset.id}/file/?credentials=1")
    assert first.status_code == again.status_code == 200
    assert b"".join(first.streaming_content) == b"".join(again.streaming_content)
    assert signings["n"] == 1


def test_a_request_that_finds_a_signing_waits_for_it_rather_than_failing(api, project, editor, signings):
    asset = stored_asset(project, user=editor)
    lock = signing_lock(asset)
    cache.add(lock, 1, 60)
    threading.Timer(0.5, cache.delete, args=[lock]).start()  # the holder is done within the wait

    response = api(editor).get(f"/api/v1/assets/{asset.id}/file/?credentials=1")
    assert response.status_code == 200 and signings["n"] == 1


def test_an_export_waits_for_a_signing_in_progress_instead_of_a_broken_zip(api, project, editor, reviewer, signings, monkeypatch):
    monkeypatch.setattr(credentials, "SIGNING_WAIT_SECONDS", 0.1)  # shorter than the holder: a download would 503
    asset = stored_asset(project, user=editor)
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")  # exports take approved
    lock = signing_lock(asset)
    cache.add(lock, 1, 60)
    threading.Timer(0.6, cache.delete, args=[lock]).start()

    response = api(editor).get(f"/api/v1/projects/{project.id}/exports/")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).namelist()
    assert any(str(asset.id) in name for name in names) and "manifest.json" in names
    assert signings["n"] == 1


def test_each_person_has_a_limit_on_new_signings_but_not_on_copies_already_made(api, client, project, editor, reviewer, signings, monkeypatch):
    monkeypatch.setitem(JobCreationThrottle.THROTTLE_RATES, "signing", "2/min")
    first, second, third = (stored_asset(project, user=editor) for _ in range(3))
    editor_api = api(editor)
    assert editor_api.get(f"/api/v1/assets/{first.id}/file/?credentials=1").status_code == 200
    assert editor_api.get(f"/api/v1/assets/{second.id}/credentials/").status_code == 200  # the panel's JSON signs too

    refused = editor_api.get(f"/api/v1/assets/{third.id}/file/?credentials=1")
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    error = refused.json()["error"]
    assert error["code"] == "throttled" and error["details"]["limit"] == 2 and "2 signings per 60 s" in error["message"]
    assert signings["n"] == 2

    for cached in (first, second):  # already signed: served, nothing drawn
        assert editor_api.get(f"/api/v1/assets/{cached.id}/file/?credentials=1").status_code == 200
    client.force_login(editor)
    panel = client.get(f"/assets/{third.id}/credentials/")  # the page's panel says why instead of an error page
    assert panel.status_code == 200 and "2 signings per 60 s" in panel.content.decode()

    assert api(reviewer).get(f"/api/v1/assets/{third.id}/file/?credentials=1").status_code == 200  # per person
    assert signings["n"] == 3
