"""Riding out the platform's own infrastructure failing for a moment: the database restarting or
failing over, the object store answering 503 or timing out.

    outage_of(error)                  DATABASE, STORAGE or None (a bug, a refusal: not an outage)
    ride_out(step, what=..., kind=...) run `step`, retrying it through an outage with backoff, for
                                       at most DATABASE_OUTAGE_SECONDS / STORAGE_OUTAGE_SECONDS
    OutageMiddleware, server_error     an outage that reaches a request answers 503 + Retry-After
                                       (the API's error shape under /api/, a plain page elsewhere)

A database step is retried only outside a transaction (`atomic`): inside one, the work done
before the failure is gone with the connection, so the error goes up to whoever opened the
transaction, which retries it whole. Between tries the broken connection is closed, so the next
query opens a fresh one.
"""

from __future__ import annotations

import errno
import logging
import sys
import time
from collections.abc import Callable
from enum import StrEnum
from typing import TypeVar

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.http import HttpResponse, JsonResponse

from apps.core.backoff import backoff_delay

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Outage(StrEnum):
    DATABASE = "database"
    STORAGE = "storage"


# Filesystem errors a network or failing disk gives for a while (an NFS server away, an I/O error),
# not the ones that say the request itself is wrong (a missing file, a permission).
_TRANSIENT_ERRNOS = {errno.EIO, errno.ETIMEDOUT, errno.ESTALE, errno.EAGAIN, errno.ENOTCONN, errno.EHOSTDOWN, errno.EHOSTUNREACH}
# S3 error codes that mean "the service, not your request": answered with 5xx or as throttling.
_S3_TRANSIENT_CODES = {"SlowDown", "ServiceUnavailable", "InternalError", "RequestTimeout", "RequestTimeTooSkewed"}


def _storage_outage(error: BaseException) -> bool:
    try:
        from botocore import exceptions as boto
    except ImportError:  # pragma: no cover - boto3 is in requirements.txt
        boto = None
    if boto is not None:
        # EndpointConnectionError (refused, DNS), ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError
        if isinstance(error, (boto.ConnectionError, boto.HTTPClientError)):
            return True
        if isinstance(error, boto.ClientError):
            response = getattr(error, "response", None) or {}
            status = response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
            return status >= 500 or response.get("Error", {}).get("Code") in _S3_TRANSIENT_CODES
    if isinstance(error, OSError) and not isinstance(error, ConnectionError):
        return error.errno in _TRANSIENT_ERRNOS
    return False


def outage_of(error: BaseException | None) -> Outage | None:
    """Which piece of infrastructure `error` says is away for now, if any (its causes included)."""
    seen = 0
    while error is not None and seen < 5:
        if isinstance(error, (OperationalError, InterfaceError)):
            return Outage.DATABASE
        if _storage_outage(error):
            return Outage.STORAGE
        error, seen = error.__cause__, seen + 1
    return None


def outage_seconds(kind: Outage) -> float:
    return settings.DATABASE_OUTAGE_SECONDS if kind == Outage.DATABASE else settings.STORAGE_OUTAGE_SECONDS


def _close_connection() -> None:
    try:
        connection.close()
    except Exception:  # a connection that died may fail to close: it is dropped all the same
        logger.debug("closing a broken database connection failed", exc_info=True)


def ride_out(step: Callable[[], T], *, what: str, kind: Outage | None = None) -> T:
    """`step()`, tried again with backoff while it fails for an outage (of `kind`, or any), for at
    most the outage's budget; any other error, an outage outliving the budget, or a database error
    inside a transaction is raised at once. `what` names the step in the log."""
    started = time.monotonic()
    tries = 0
    while True:
        try:
            return step()
        except Exception as error:
            found = outage_of(error)
            if found is None or (kind is not None and found != kind):
                raise
            if found == Outage.DATABASE and connection.in_atomic_block:
                raise  # the transaction is lost: its opener retries it whole
            tries += 1
            delay = backoff_delay(tries, base=settings.OUTAGE_RETRY_BASE_SECONDS, cap=settings.OUTAGE_RETRY_MAX_SECONDS)
            waited = time.monotonic() - started
            if waited + delay > outage_seconds(found):
                logger.error("%s: %s outage outlived %.1f s (%s tries): %s", what, found, waited, tries, error)
                raise
            logger.warning("%s: %s unavailable (%s: %s); try %s again in %.2f s", what, found, error.__class__.__name__, error, tries + 1, delay)
            if found == Outage.DATABASE:
                _close_connection()
            time.sleep(delay)


MESSAGES = {
    Outage.DATABASE: "The database is unavailable for a moment (restarting or failing over). Nothing was lost; try again shortly.",
    Outage.STORAGE: "File storage is unavailable for a moment. Nothing was lost; try again shortly.",
}


def outage_response(request, kind: Outage) -> HttpResponse:
    """503 with Retry-After: the API's error shape under /api/, a plain page (no template, no
    database) elsewhere."""
    retry_after = str(settings.DATABASE_RETRY_AFTER_SECONDS if kind == Outage.DATABASE else settings.STORAGE_RETRY_AFTER_SECONDS)
    if request.path.startswith("/api/"):
        response = JsonResponse({"error": {"code": f"{kind}_unavailable", "message": MESSAGES[kind]}}, status=503)
    else:
        title = "Temporarily unavailable"
        response = HttpResponse(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"></head>'
            f'<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">'
            f"<h1>{title}</h1><p>{MESSAGES[kind]}</p><p>This page will work again in about {retry_after} seconds.</p></body></html>",
            status=503, content_type="text/html; charset=utf-8",
        )
    response["Retry-After"] = retry_after
    response["Cache-Control"] = "no-store"
    return response


class OutageMiddleware:
    """An outage a view meets answers 503 instead of a 500 page; after it, the request's broken
    database connection is closed so the next request of this thread opens a fresh one."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        kind = outage_of(exception)
        if kind is None:
            return None
        logger.warning("%s %s: %s unavailable: %s: %s", request.method, request.path, kind, exception.__class__.__name__, exception)
        if kind == Outage.DATABASE and not connection.in_atomic_block:
            _close_connection()
        return outage_response(request, kind)


def server_error(request, *args, **kwargs):
    """handler500: an outage met outside a view (a middleware saving the session, loading the user)
    still answers 503; anything else is Django's own 500."""
    kind = outage_of(sys.exc_info()[1])
    if kind is not None:
        return outage_response(request, kind)
    from django.views.defaults import server_error as default_server_error

    return default_server_error(request, *args, **kwargs)
