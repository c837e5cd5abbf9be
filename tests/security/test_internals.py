"""Item 5 of issue 18: readiness checks storage without writing, anonymous callers get a status
only, metrics need a token or a direct loopback caller, the schema is for signed-in users."""

import pytest

pytestmark = pytest.mark.django_db

OUTSIDE = {"REMOTE_ADDR": "203.0.113.9"}


def break_storage(settings, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker)}}}


def test_anonymous_callers_get_only_a_status(client, settings, tmp_path):
    assert client.get("/readyz", **OUTSIDE).json() == {"status": "ready"}
    break_storage(settings, tmp_path)
    down = client.get("/readyz", **OUTSIDE)
    assert down.status_code == 503 and down.json() == {"status": "not ready"}
    assert str(tmp_path) not in down.content.decode()


def test_the_operator_sees_which_check_failed_with_the_token(client, settings, tmp_path):
    settings.METRICS_TOKEN = "ops-token-123"
    break_storage(settings, tmp_path)
    details = client.get("/readyz", HTTP_AUTHORIZATION="Bearer ops-token-123", **OUTSIDE).json()
    assert details["checks"]["storage"]["ok"] is False and details["checks"]["database"]["ok"] is True
    assert "checks" not in client.get("/readyz", HTTP_AUTHORIZATION="Bearer wrong", **OUTSIDE).json()
    assert "checks" not in client.get("/readyz").json()  # with a token set, loopback alone is not enough


def test_readiness_writes_nothing_to_storage_and_caches_its_answer(client, settings, tmp_path):
    store = tmp_path / "store"
    store.mkdir()
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(store)}}}
    for _ in range(5):
        assert client.get("/readyz").status_code == 200
    assert list(store.iterdir()) == []  # the old check left health/ behind after a write and a delete
    settings.READYZ_STORAGE_SECONDS = 60
    store.rmdir()
    store.write_text("the store's folder is gone")
    assert client.get("/readyz").status_code == 200  # within the window the last storage answer stands
    settings.READYZ_STORAGE_SECONDS = 0
    assert client.get("/readyz").status_code == 503


@pytest.mark.parametrize(
    ("token", "headers", "status"),
    [
        ("", {"REMOTE_ADDR": "127.0.0.1"}, 200),
        ("", {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}, 404),
        ("", OUTSIDE, 404),
        ("scrape-me", OUTSIDE, 404),
        ("scrape-me", {**OUTSIDE, "HTTP_AUTHORIZATION": "Bearer scrape-me"}, 200),
        ("scrape-me", {**OUTSIDE, "HTTP_AUTHORIZATION": "Bearer scrape-you"}, 404),
    ],
)
def test_metrics_need_the_token_or_a_direct_loopback_caller(client, settings, token, headers, status):
    settings.METRICS_TOKEN = token
    response = client.get("/metrics", **headers)
    assert response.status_code == status
    if status == 200:
        assert b"brand_generations" in response.content or b"brand_queue_depth" in response.content


def test_the_schema_is_for_signed_in_users(client, api, editor):
    assert client.get("/api/schema/").status_code in (401, 403)
    assert api(editor).get("/api/schema/").status_code == 200
