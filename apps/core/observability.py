"""Health, readiness, queue depth and log context: what an operator needs to run this at scale,
without knowing any domain app (the job metrics are apps/generations/metrics.py)."""

from __future__ import annotations

import contextvars
import logging
import os
import time
import uuid

from celery import current_app
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse

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


def _check_storage():
    key = f"health/{uuid.uuid4().hex}"
    default_storage.save(key, ContentFile(b"ok"))
    default_storage.delete(key)


def readyz(request):
    """Database, broker and storage reachable: 200, or 503 naming what is not."""
    checks, ready = {}, True
    for name, check in (("database", _check_database), ("broker", _check_broker), ("storage", _check_storage)):
        started = time.monotonic()
        try:
            check()
            checks[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
        except Exception as exc:  # report, never raise: this answers a load balancer
            ready = False
            checks[name] = {"ok": False, "error": f"{exc.__class__.__name__}: {exc}"[:300]}
    return JsonResponse({"status": "ready" if ready else "not ready", "checks": checks}, status=200 if ready else 503)


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
