"""A webhook retry survives a killed worker: the retry is a row with a due time, and the next
worker's beat sweep sends it. (A retry held as a delayed broker message died with the worker.)"""

import pytest
from standardwebhooks.webhooks import Webhook

from apps.webhooks.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.waiting import wait_for
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def test_a_pending_retry_is_sent_after_the_worker_is_killed(rest, upstream, start_worker):
    env = {"WEBHOOK_RETRY_BASE_SECONDS": "3", "WEBHOOK_SWEEP_SECONDS": "0.5"}
    receiver = Receiver(fail_first=1)
    first = start_worker(beat=True, **env)  # the beat inside the worker, as a one-machine install runs it
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    WebhookEndpoint.objects.create(project_id=project["id"], url=receiver.url, events=["generation.succeeded"], secret=SECRET)
    job_id = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "a heron"}).json()["id"]

    wait_for(lambda: DeliveryAttempt.objects.filter(response_code=500).exists())
    first.kill()  # SIGKILL (the worker and its beat) between the failed attempt and its retry
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and len(receiver.received) == 1

    start_worker(beat=True, **env)
    wait_for(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED)

    assert [a.response_code for a in WebhookDelivery.objects.get().attempt_log.all()] == [500, 204]
    retried = receiver.received[-1]
    assert Webhook(SECRET).verify(retried["body"], retried["headers"])["data"]["generation"] == job_id
    assert retried["headers"]["webhook-id"] == receiver.received[0]["headers"]["webhook-id"]
