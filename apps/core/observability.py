"""Health, readiness, metrics and log context: what an operator needs to run this at scale."""

from __future__ import annotations

import contextvars
import logging
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.models import Count
from django.http import HttpResponse, JsonResponse
from django.utils import timezone

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
    from config.celery import app

    with app.connection_for_write() as conn:
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
    from config.celery import app

    queues = [q.name for q in app.amqp.queues.values()] or ["celery"]
    url = settings.CELERY_BROKER_URL
    if url.startswith("filesystem://"):
        folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        import os

        names = os.listdir(folder)
        return {queue: sum(1 for n in names if n.endswith(f".{queue}.msg")) for queue in queues}
    if url.startswith("redis"):
        with app.connection_for_read() as conn:
            client = conn.default_channel.client
            return {queue: int(client.llen(queue)) for queue in queues}
    return {}


def metrics(request):
    """Prometheus text: jobs by status, queue depth, job latency over the last hour. Counts only,
    no tenant data."""
    from prometheus_client import CollectorRegistry, Gauge, generate_latest
    from prometheus_client.exposition import CONTENT_TYPE_LATEST

    from apps.generations.models import Generation

    registry = CollectorRegistry()
    jobs = Gauge("brand_generations", "Generation jobs by status", ["status"], registry=registry)
    for row in Generation.objects.values("status").annotate(n=Count("id")):
        jobs.labels(row["status"]).set(row["n"])
    depth = Gauge("brand_queue_depth", "Messages waiting in the broker", ["queue"], registry=registry)
    for queue, count in queue_depth().items():
        depth.labels(queue).set(count)
    latency = Gauge("brand_generation_seconds", "Job latency, created to finished, last hour", ["quantile"], registry=registry)
    recent = Generation.objects.filter(finished_at__gte=timezone.now() - timezone.timedelta(hours=1)).values_list("created_at", "finished_at")
    durations = sorted((finished - created).total_seconds() for created, finished in recent[:5000])
    if durations:
        for q in (0.5, 0.95):
            latency.labels(str(q)).set(durations[min(len(durations) - 1, int(q * len(durations)))])
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
