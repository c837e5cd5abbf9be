"""Workers racing for one delivery (the fast-path message and a sweep, or two sweeps): one claims
it, the receiver gets it once. A PostgreSQL fact, so it runs on the scale profile."""

import threading

import pytest
from django.db import connection

from apps.webhooks import services
from apps.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


def test_racing_workers_send_a_delivery_once(project, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    receiver = Receiver()
    endpoint = WebhookEndpoint.objects.create(project=project, url=receiver.url, events=["generation.failed"])
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="generation.failed", payload={"type": "generation.failed"},
                                              next_attempt_at="2000-01-01T00:00:00Z")
    start = threading.Barrier(8)

    def worker():
        start.wait()
        try:
            services.delivery_attempt(delivery_id=delivery.pk)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 1
    assert len(receiver.received) == 1 and delivery.attempt_log.count() == 1
