from django.db.models import QuerySet

from apps.batches.models import BatchRequest


def batch_requests_queryset() -> QuerySet[BatchRequest]:
    return BatchRequest.objects.select_related("batch")


def batch_of(generation) -> dict | None:
    """The upstream batch a job waits in (its newest), as a job's answer shows it; None for
    interactive jobs. Reads the prefetched `batch_requests` when there are any."""
    requests = list(generation.batch_requests.all())
    if not requests:
        return None
    batch = max((request.batch for request in requests), key=lambda b: b.created_at)
    return {
        "id": str(batch.pk),
        "name": batch.upstream_name or None,
        "state": batch.state,
        "last_checked_at": batch.last_checked_at.isoformat().replace("+00:00", "Z") if batch.last_checked_at else None,
    }
