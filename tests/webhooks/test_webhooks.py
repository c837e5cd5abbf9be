import hashlib
import hmac
import json

import pytest

from apps.webhooks.models import DeliveryStatus, WebhookDelivery
from tests.factories import stored_asset
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


def register(api, owner, project, url, events, secret="s" * 32):
    response = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": url, "events": events, "secret": secret}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def verify(delivery: dict, secret: str) -> dict:
    timestamp = delivery["headers"]["X-Webhook-Timestamp"]
    expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + delivery["body"], hashlib.sha256).hexdigest()
    assert hmac.compare_digest(delivery["headers"]["X-Webhook-Signature"], expected)
    return json.loads(delivery["body"])


def test_signed_deliveries_after_a_generation_and_a_review(api, project, owner, reviewer, upstream, run_tasks_inline):
    receiver = Receiver()
    register(api, owner, project, receiver.url, ["generation.succeeded", "asset.reviewed"])

    job = api(owner).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a kite"}, format="json").json()
    asset_id = api(owner).get(f"/api/v1/generations/{job['id']}/").json()["assets"][0]["id"]
    api(reviewer).post(f"/api/v1/assets/{asset_id}/reviews/", {"decision": "approve"}, format="json")

    generated, reviewed = (verify(d, "s" * 32) for d in receiver.received)
    assert generated["event"] == "generation.succeeded" and generated["data"]["assets"] == [asset_id]
    assert reviewed["event"] == "asset.reviewed" and reviewed["data"]["review_status"] == "approved"
    assert receiver.received[0]["headers"]["X-Webhook-Event"] == "generation.succeeded"


def test_a_failing_receiver_is_retried_and_every_attempt_logged(api, project, owner, reviewer, settings, run_tasks_inline):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver = Receiver(fail_first=2)
    endpoint = register(api, owner, project, receiver.url, ["asset.reviewed"])
    asset = stored_asset(project)
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    assert [a.response_code for a in delivery.attempt_log.all()] == [500, 500, 204]
    assert len(receiver.received) == 3
    log = api(owner).get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()
    assert [a["response_code"] for a in log[0]["attempt_log"]] == [500, 500, 204]


def test_a_dead_receiver_fails_the_delivery_not_the_job(api, project, owner, settings, upstream, run_tasks_inline):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    register(api, owner, project, "http://127.0.0.1:9/nothing-listens", ["generation.succeeded"])
    job = api(owner).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a kite"}, format="json").json()

    assert api(owner).get(f"/api/v1/generations/{job['id']}/").json()["status"] == "succeeded"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    assert all("ConnectionError" in a.error for a in delivery.attempt_log.all())


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/hook", "http://10.1.2.3/hook", "http://169.254.169.254/latest", "ftp://example.com/x"])
def test_private_addresses_are_refused_unless_allowed(api, project, owner, settings, url):
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": url, "events": ["asset.reviewed"]}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "url"


def test_only_owners_manage_webhooks(api, project, editor, owner):
    assert api(editor).get(f"/api/v1/projects/{project.id}/webhooks/").status_code == 403
    created = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": "https://example.com/h", "events": ["nope"]}, format="json")
    assert created.status_code == 400 and created.json()["error"]["field"].startswith("events")
