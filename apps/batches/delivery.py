"""Batch delivery as a backend of the job engine's delivery table (apps/generations/deliveries.py),
registered from this app's config: generations never imports batches."""

from django.db.models import Prefetch

from apps.batches import selectors, services
from apps.generations import deliveries
from apps.generations.deliveries import DeliveryBackend
from apps.generations.models import Delivery

BATCH = DeliveryBackend(
    check=services.batch_delivery_check,
    enqueue=services.batch_enqueue,
    cancel=services.batch_job_canceled,
    describe=selectors.batch_of,
    prefetch=(Prefetch("batch_requests", queryset=selectors.batch_requests_queryset()),),
    resent_by_recovery=False,  # a batch job waits queued for hours; the poller finishes it
)


def register() -> None:
    deliveries.register(Delivery.BATCH, BATCH)
