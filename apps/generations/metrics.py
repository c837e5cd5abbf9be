"""Prometheus metrics of the job engine: jobs by status, queue depth, job latency."""

from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, Gauge, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from apps.core.observability import may_see_internals, queue_depth
from apps.generations.models import Generation, OrphanSweep


def metrics(request):
    """Prometheus text: jobs by status, queue depth, job latency over the last hour. Counts only,
    no tenant data; 404 to callers who may not see internals (apps.core.observability)."""
    if not may_see_internals(request):
        raise Http404()
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
    swept = OrphanSweep.objects.aggregate(files=Sum("files_removed"), size=Sum("bytes_removed"))
    Gauge("brand_orphan_files_removed_total", "Output files the orphan sweep removed (no row pointed at them)", registry=registry).set(swept["files"] or 0)
    Gauge("brand_orphan_bytes_removed_total", "Bytes the orphan sweep removed", registry=registry).set(swept["size"] or 0)
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
