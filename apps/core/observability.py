"""Health, readiness, queue depth and log context: what an operator needs to run this at scale,
without knowing any domain app (the job metrics are apps/generations/metrics.py)."""

from __future__ import annotations

import contextvars
import logging
import os
import time

from celery import current_app
from django.conf import settings
from django.core.files.storage import storages
from django.db import connection
from django.http import JsonResponse
from django.utils.crypto import constant_time_compare

logger = logging.getLogger(__name__)
job_context: contextvars.ContextVar[dict] = contextvars.ContextVar("job_context", default={})


class JobContextFilter(logging.Filter):
    """Adds `job_id` and `project_id` to every log record made while a job runs."""

    def filter(self, record):
        for key, value in job_context.get().items():
            setattr(record, key, value)
        return True


def healthz(request):
    """The process is up; nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _check_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _check_broker():
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


_storage_seen = {"at": -1e9, "error": None, "storage": None}


def _check_storage():
    """Read-only (a listing of the storage root) and at most once per READYZ_STORAGE_SECONDS per
    process: a load balancer polling every second costs no writes and few requests."""
    now, storage = time.monotonic(), storages["default"]
    if now - _storage_seen["at"] >= settings.READYZ_STORAGE_SECONDS or _storage_seen["storage"] is not storage:
        try:
            storage.listdir("")
            error = None
        except FileNotFoundError:
            error = None  # a local store that holds nothing yet: its folder is made by the first write
        except Exception as exc:
            error = exc
        _storage_seen.update(at=now, error=error, storage=storage)
    if _storage_seen["error"] is not None:
        raise _storage_seen["error"]


def storage_outage_raise() -> None:
    """Raise what the last storage check (at most READYZ_STORAGE_SECONDS old, per process) met, if
    it was an outage: a view about to redirect to a signed URL answers 503 (apps/core/outages.py)
    instead of sending the client to a bucket that is away. Any other failure of the check (say,
    credentials not allowed to list the bucket) is left to readiness, never to downloads."""
    from apps.core.outages import outage_of

    try:
        _check_storage()
    except Exception as error:
        if outage_of(error) is not None:
            raise


# Capabilities a domain app can lose without the process being unready (signing Content
# Credentials, apps.assets): name -> a function giving why it is unavailable now, or None.
CAPABILITIES: dict = {}


def capability_register(name: str, unavailable_reason) -> None:
    CAPABILITIES[name] = unavailable_reason


def _capabilities() -> dict[str, str]:
    """{name: reason} for each registered capability that is unavailable now."""
    down = {}
    for name, reason_of in CAPABILITIES.items():
        try:
            reason = reason_of()
        except Exception as exc:  # report, never raise
            reason = f"{exc.__class__.__name__}: {exc}"
        if reason:
            down[name] = str(reason)[:500]
    return down


def may_see_internals(request) -> bool:
    """Metrics and readiness details: with METRICS_TOKEN set, only `Authorization: Bearer <token>`;
    without it, only a caller on this machine's loopback that no proxy forwarded."""
    if settings.METRICS_TOKEN:
        return constant_time_compare(request.headers.get("Authorization", ""), f"Bearer {settings.METRICS_TOKEN}")
    forwarded = any(request.headers.get(name) for name in ("X-Forwarded-For", "Forwarded", "X-Real-IP"))
    return not forwarded and request.META.get("REMOTE_ADDR") in ("127.0.0.1", "::1")


def readyz(request):
    """Database, broker and storage reachable: 200, or 503. Anyone gets the status; which check
    failed and why (hosts, ports) only callers who may see internals, and the log. A capability
    that is down (e.g. signing, without which exports answer 503) is reported under
    `unavailable` without making the process unready: everything else still works."""
    checks, ready = {}, True
    for name, check in (("database", _check_database), ("broker", _check_broker), ("storage", _check_storage)):
        started = time.monotonic()
        try:
            check()
            checks[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
        except Exception as exc:  # report, never raise: this answers a load balancer
            ready = False
            checks[name] = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:300]}
            logger.warning("readyz: %s check failed: %s", name, checks[name]["error"])
    body = {"status": "ready" if ready else "not ready"}
    down = _capabilities()
    if down:
        body["unavailable"] = sorted(down)
        for name, reason in down.items():
            logger.warning("readyz: %s unavailable: %s", name, reason)
    if may_see_internals(request):
        body["checks"] = checks
        if down:
            body["unavailable_because"] = down
    return JsonResponse(body, status=200 if ready else 503)


def queue_depth() -> dict[str, int]:
    """Messages waiting per queue: files in the embedded broker's folder, or list lengths in Redis."""
    app = current_app
    queues = [q.name for q in app.amqp.queues.values()] or ["celery"]
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        names = os.listdir(folder)
        return {queue: sum(1 for n in names if n.endswith(f".{queue}.msg")) for queue in queues}
    if url.startswith("redis"):
        with app.connection_for_read() as conn:
            client = conn.default_channel.client
            return {queue: int(client.llen(queue)) for queue in queues}
    return {}
