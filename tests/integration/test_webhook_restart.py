"""A webhook retry survives a killed worker: the retry is a row with a due time, and the next
worker's beat sweep sends it. (A retry held as a delayed broker message died with the worker.)"""

import pytest
from standardwebhooks.webhooks import Webhook

from apps.webhooks.models import DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.integration.conftest import Worker, purge_broker, wait_for
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


def BEAT(folder, n):  # noqa: N802  the beat inside the worker, as a one-machine install runs it
    return ("-B", "--schedule", str(folder / f"beat-{n}"))


def test_a_pending_retry_is_sent_after_the_worker_is_killed(rest, emulator, upstream, files_dir, tmp_path):
    purge_broker()
    env = {"WEBHOOK_RETRY_BASE_SECONDS": "3", "WEBHOOK_SWEEP_SECONDS": "0.5"}
    receiver = Receiver(fail_first=1)
    first = Worker(files_dir=files_dir, base_url=emulator.base_url, log_path=tmp_path / "first.log", extra_env=env).start(extra_args=BEAT(tmp_path, 1))
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    WebhookEndpoint.objects.create(project_id=project["id"], url=receiver.url, events=["generation.succeeded"], secret=SECRET)
    job_id = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "a heron"}).json()["id"]

    wait_for(lambda: DeliveryAttempt.objects.filter(response_code=500).exists())
    first.process.kill()  # SIGKILL between the failed attempt and its retry
    first.process.wait()
    first.stop()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and len(receiver.received) == 1

    second = Worker(files_dir=files_dir, base_url=emulator.base_url, log_path=tmp_path / "second.log", extra_env=env).start(extra_args=BEAT(tmp_path, 2))
    try:
        wait_for(lambda: WebhookDelivery.objects.get().status == DeliveryStatus.SUCCEEDED)
    finally:
        second.stop()

    assert [a.response_code for a in WebhookDelivery.objects.get().attempt_log.all()] == [500, 204]
    retried = receiver.received[-1]
    assert Webhook(SECRET).verify(retried["body"], retried["headers"])["data"]["generation"] == job_id
    assert retried["headers"]["webhook-id"] == receiver.received[0]["headers"]["webhook-id"]
