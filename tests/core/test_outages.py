"""A database or storage outage that reaches a request answers 503 with Retry-After (never a 500),
and a worker's step rides out a short one."""

import errno
import time

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, ReadTimeoutError
from django.core.files.storage import FileSystemStorage
from django.db import IntegrityError, InterfaceError, OperationalError, connection, transaction
from django.test import RequestFactory

from apps.core.outages import Outage, outage_of, ride_out, server_error
from tests.factories import stored_asset


def client_error(status: int, code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}, "ResponseMetadata": {"HTTPStatusCode": status}}, "GetObject")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (OperationalError("terminating connection due to administrator command"), Outage.DATABASE),
        (InterfaceError("connection already closed"), Outage.DATABASE),
        (EndpointConnectionError(endpoint_url="http://127.0.0.1:1"), Outage.STORAGE),
        (ReadTimeoutError(endpoint_url="http://127.0.0.1:1"), Outage.STORAGE),
        (client_error(503, "SlowDown"), Outage.STORAGE),
        (client_error(500, "InternalError"), Outage.STORAGE),
        (OSError(errno.EIO, "Input/output error"), Outage.STORAGE),
        (client_error(404, "NoSuchKey"), None),
        (client_error(403, "AccessDenied"), None),
        (IntegrityError("duplicate key"), None),
        (FileNotFoundError(errno.ENOENT, "gone"), None),
        (ValueError("a bug"), None),
    ],
)
def test_outage_of_names_what_is_away_and_nothing_else(error, kind):
    assert outage_of(error) == kind


def test_outage_of_follows_the_cause():
    try:
        try:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")
        except EndpointConnectionError as inner:
            raise RuntimeError("could not store") from inner
    except RuntimeError as outer:
        assert outage_of(outer) == Outage.STORAGE


@pytest.fixture
def quick_outages(settings):
    settings.DATABASE_OUTAGE_SECONDS = 1.0
    settings.STORAGE_OUTAGE_SECONDS = 1.0
    settings.OUTAGE_RETRY_BASE_SECONDS = 0.01
    settings.OUTAGE_RETRY_MAX_SECONDS = 0.05


def failing(times: int, error: Exception):
    calls = []

    def step():
        calls.append(time.monotonic())
        if len(calls) <= times:
            raise error
        return "done"

    return step, calls


def test_a_step_rides_out_a_short_storage_outage(quick_outages):
    step, calls = failing(3, client_error(503, "ServiceUnavailable"))
    assert ride_out(step, what="storing", kind=Outage.STORAGE) == "done"
    assert len(calls) == 4


@pytest.mark.django_db(transaction=True)
def test_a_step_rides_out_a_short_database_outage_outside_a_transaction(quick_outages):
    step, calls = failing(2, OperationalError("server closed the connection unexpectedly"))
    assert ride_out(step, what="claiming", kind=Outage.DATABASE) == "done"
    assert len(calls) == 3


def test_an_outage_longer_than_the_budget_is_raised(quick_outages):
    step, calls = failing(10_000, EndpointConnectionError(endpoint_url="http://127.0.0.1:1"))
    started = time.monotonic()
    with pytest.raises(EndpointConnectionError):
        ride_out(step, what="storing", kind=Outage.STORAGE)
    assert 0.5 < time.monotonic() - started <= 1.2 and len(calls) > 3


@pytest.mark.parametrize("error", [ValueError("a bug"), IntegrityError("duplicate"), client_error(404, "NoSuchKey")])
def test_what_is_not_an_outage_is_raised_at_once(quick_outages, error):
    step, calls = failing(1, error)
    with pytest.raises(type(error)):
        ride_out(step, what="x")
    assert len(calls) == 1


def test_an_outage_of_another_kind_is_raised_at_once(quick_outages):
    step, calls = failing(1, OperationalError("gone"))
    with pytest.raises(OperationalError):
        ride_out(step, what="storing", kind=Outage.STORAGE)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_a_database_step_inside_a_transaction_is_not_retried(quick_outages):
    step, calls = failing(1, OperationalError("gone"))
    with pytest.raises(OperationalError), transaction.atomic():
        ride_out(step, what="storing rows", kind=Outage.DATABASE)
    assert len(calls) == 1


def database_down(execute, sql, params, many, context):
    raise OperationalError("injected: terminating connection due to administrator command")


@pytest.mark.django_db
def test_an_api_request_meeting_a_database_outage_answers_503_in_the_api_shape(api, editor, project):
    client = api(editor)
    with connection.execute_wrapper(database_down):
        response = client.get("/api/v1/projects/")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json()["error"]["code"] == "database_unavailable"


@pytest.mark.django_db
def test_a_page_meeting_a_database_outage_answers_a_plain_503_page(client, editor, project):
    client.force_login(editor)
    with connection.execute_wrapper(database_down):
        response = client.get(f"/projects/{project.id}/")
    assert response.status_code == 503 and response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html") and b"unavailable for a moment" in response.content


@pytest.mark.django_db
def test_a_download_while_storage_is_down_answers_503(api, editor, project, monkeypatch):
    asset = stored_asset(project, user=editor)

    def bucket_down(self, name, mode="rb"):
        raise client_error(503, "ServiceUnavailable")

    monkeypatch.setattr(FileSystemStorage, "_open", bucket_down)
    response = api(editor).get(f"/api/v1/assets/{asset.id}/file/")
    assert response.status_code == 503 and response["Retry-After"] == "15"
    assert response.json()["error"]["code"] == "storage_unavailable"

    monkeypatch.undo()
    assert api(editor).get(f"/api/v1/assets/{asset.id}/file/").status_code == 200


def test_an_outage_met_outside_a_view_still_answers_503():
    """handler500: e.g. the session middleware failing to save after the view."""
    request = RequestFactory().get("/projects/")
    try:
        raise InterfaceError("connection already closed")
    except InterfaceError:
        response = server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "5"


@pytest.mark.django_db
def test_an_export_while_storage_is_known_to_be_away_answers_503_before_streaming(api, project, monkeypatch):
    """Not an archive that breaks off once its first bytes left: the store's last check decides."""
    from apps.core import observability
    from tests.factories import member

    owner = member(project, "owner")

    def bucket_down():
        raise client_error(503, "SlowDown")

    monkeypatch.setattr(observability, "_check_storage", bucket_down)
    response = api(owner).get(f"/api/v1/projects/{project.id}/exports/")
    assert response.status_code == 503 and response.json()["error"]["code"] == "storage_unavailable"

    monkeypatch.undo()
    assert api(owner).get(f"/api/v1/projects/{project.id}/exports/").status_code == 200


def test_a_storage_check_failing_for_another_reason_never_stops_downloads(monkeypatch):
    """Credentials that may not list the bucket make readiness fail, not every download."""
    from apps.core import observability

    def not_allowed():
        raise client_error(403, "AccessDenied")

    monkeypatch.setattr(observability, "_check_storage", not_allowed)
    observability.storage_outage_raise()  # does not raise
