"""Webhooks as an integrator sees them: Standard Webhooks signatures verified with the standard
library, rotation with a grace period, retries from rows, and destinations that cannot be abused."""

import socket
import ssl
from datetime import timedelta

import pytest
from django.utils import timezone
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from apps.webhooks import services
from apps.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.factories import stored_asset
from tests.waiting import wait_for
from tests.webhooks.receiver import Misbehaving, Receiver, TlsReceiver, drip, flood, self_signed_certificate

pytestmark = pytest.mark.django_db
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"


@pytest.fixture(autouse=True)
def loopback_allowed(settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    settings.WEBHOOK_RETRY_BASE_SECONDS = 0


def register(api, owner, project, url, events, secret=SECRET):
    body = {"url": url, "events": events, **({"secret": secret} if secret else {})}
    response = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", body)
    assert response.status_code == 201, response.json()
    return response.json()


def verify(delivery: dict, secret: str) -> dict:
    """What a receiver does: the standard library checks id, timestamp and signature."""
    return Webhook(secret).verify(delivery["body"], delivery["headers"])


def sweep_until_settled(deadline_seconds: float = 10.0) -> None:
    """Run the periodic sweep (as beat would) until nothing is pending."""
    def settled():
        if not WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING).exists():
            return True
        services.deliveries_sweep()
        return False

    wait_for(settled, deadline_seconds, interval=0, what="no delivery pending")


def test_deliveries_verify_with_the_standard_webhooks_library(api, project, owner, reviewer, upstream, run_tasks_inline):
    receiver = Receiver()
    register(api, owner, project, receiver.url, ["generation.succeeded", "asset.review_changed"])

    job = api(owner).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a kite"}).json()
    asset_id = api(owner).get(f"/api/v1/generations/{job['id']}/").json()["assets"][0]["id"]
    api(reviewer).post(f"/api/v1/assets/{asset_id}/reviews/", {"decision": "approve"})

    generated, reviewed = (verify(d, SECRET) for d in receiver.received)
    assert generated["type"] == "generation.succeeded" and generated["data"]["assets"] == [asset_id]
    assert generated["project"] == str(project.id)
    assert reviewed["type"] == "asset.review_changed" and reviewed["data"]["review_status"] == "approved"
    assert receiver.received[0]["headers"]["webhook-id"].startswith("msg_")
    with pytest.raises(WebhookVerificationError):
        verify({**receiver.received[0], "body": receiver.received[0]["body"].replace(b"kite", b"kitf") + b" "}, SECRET)
    with pytest.raises(WebhookVerificationError):
        verify(receiver.received[0], "whsec_" + "A" * 32)


def test_a_generated_secret_is_a_whsec_secret_and_bad_ones_are_named(api, project, owner):
    created = register(api, owner, project, "http://127.0.0.1:9/h", ["generation.failed"], secret=None)
    assert created["secret"].startswith("whsec_") and services.secret_refusal(created["secret"]) is None
    response = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": "http://127.0.0.1:9/h", "events": ["generation.failed"], "secret": "s" * 32})
    assert response.status_code == 400 and response.json()["error"]["field"] == "secret"


def test_rotation_signs_with_both_secrets_during_the_grace_period(api, project, owner, reviewer, run_tasks_inline):
    receiver = Receiver()
    endpoint = register(api, owner, project, receiver.url, ["asset.review_changed"])
    rotated = api(owner).post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret/", {"grace_seconds": 3600})
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != SECRET and rotated.json()["previous_secret_expires_at"]

    asset = stored_asset(project)
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"})
    during = receiver.wait_for(1)[0]
    assert verify(during, SECRET)["type"] == verify(during, new_secret)["type"] == "asset.review_changed"

    WebhookEndpoint.objects.filter(pk=endpoint["id"]).update(previous_secret_expires_at=timezone.now() - timedelta(seconds=1))
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "reject", "comment": "too dark"})
    after = receiver.wait_for(2)[1]
    assert verify(after, new_secret)["data"]["decision"] == "reject"
    with pytest.raises(WebhookVerificationError):
        verify(after, SECRET)


def test_a_failing_receiver_is_retried_by_the_sweep_and_every_attempt_logged(api, project, owner, reviewer, settings, run_tasks_inline):
    settings.WEBHOOK_MAX_ATTEMPTS = 4
    receiver = Receiver(fail_first=2)
    endpoint = register(api, owner, project, receiver.url, ["asset.review_changed"])
    asset = stored_asset(project)
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None  # a row, not a message

    sweep_until_settled()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    assert [a.response_code for a in delivery.attempt_log.all()] == [500, 500, 204]
    assert len({d["headers"]["webhook-id"] for d in receiver.received}) == 1  # retries keep the id: receivers dedupe
    log = api(owner).get(f"/api/v1/webhooks/{endpoint['id']}/deliveries/").json()
    assert [a["response_code"] for a in log[0]["attempt_log"]] == [500, 500, 204]


def test_a_dead_receiver_fails_the_delivery_not_the_job(api, project, owner, settings, upstream, run_tasks_inline):
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    register(api, owner, project, "http://127.0.0.1:9/nothing-listens", ["generation.succeeded"])
    job = api(owner).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a kite"}).json()

    assert api(owner).get(f"/api/v1/generations/{job['id']}/").json()["status"] == "succeeded"
    sweep_until_settled()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and delivery.attempts == 2
    assert all("ConnectionRefused" in a.error for a in delivery.attempt_log.all())


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8000/hook",
    "http://10.1.2.3/hook",
    "http://169.254.169.254/latest",
    "http://[64:ff9b::7f00:1]/hook",  # NAT64 form of 127.0.0.1
    "http://[64:ff9b::a01:203]/hook",  # NAT64 form of 10.1.2.3
    "http://[2002:7f00:1::]/hook",  # 6to4 form of 127.0.0.1
    "http://[2002:c0a8:101::1]/hook",  # 6to4 form of 192.168.1.1
    "http://[::ffff:10.0.0.1]/hook",
    "ftp://example.com/x",
])
def test_private_addresses_are_refused_in_every_form(api, project, owner, settings, url):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = False
    response = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": url, "events": ["asset.review_changed"]})
    assert response.status_code == 400 and response.json()["error"]["field"] == "url"


@pytest.mark.parametrize("url", ["http://[64:ff9b::7f00:1]/hook", "http://[2002:7f00:1::]/hook", "http://10.0.0.1/hook"])
def test_the_test_loopback_allowance_never_lets_hidden_or_private_forms_through(api, project, owner, url):
    response = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": url, "events": ["asset.review_changed"]})
    assert response.status_code == 400 and "private or internal" in response.json()["error"]["message"]


class Dns:
    """The resolver as seen from the platform: `host` answers from a script, in order."""

    def __init__(self, monkeypatch, answers: list[str], host: str = "rebind.example"):
        self.answers = answers
        self.asked = 0
        real = socket.getaddrinfo

        def getaddrinfo(name, port, *args, **kwargs):
            if name != host:
                return real(name, port, *args, **kwargs)
            answer = self.answers[min(self.asked, len(self.answers) - 1)]
            self.asked += 1
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]

        monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def test_a_delivery_connects_to_the_address_it_checked(api, project, owner, reviewer, monkeypatch, run_tasks_inline):
    receiver = Receiver()
    # Every answer after the check would point at the cloud metadata service.
    dns = Dns(monkeypatch, ["127.0.0.1", "127.0.0.1", "169.254.169.254"])
    register(api, owner, project, f"http://rebind.example:{receiver.port}/hook", ["asset.review_changed"])
    api(reviewer).post(f"/api/v1/assets/{stored_asset(project).id}/reviews/", {"decision": "approve"})

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and dns.asked == 2  # one lookup to register, one per attempt
    assert receiver.received[0]["headers"]["host"] == f"rebind.example:{receiver.port}"


def test_a_host_that_rebinds_to_a_private_address_is_refused(api, project, owner, reviewer, settings, monkeypatch, run_tasks_inline):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver = Receiver()
    Dns(monkeypatch, ["127.0.0.1", "10.0.0.7"])
    register(api, owner, project, f"http://rebind.example:{receiver.port}/hook", ["asset.review_changed"])
    api(reviewer).post(f"/api/v1/assets/{stored_asset(project).id}/reviews/", {"decision": "approve"})

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.FAILED and receiver.received == []
    assert "10.0.0.7 is a private or internal address" in delivery.attempt_log.get().error


@pytest.mark.parametrize(("certificate_for", "delivered"), [("hooks.example", True), ("other.example", False)])
def test_https_to_a_pinned_address_still_checks_the_certificate_against_the_host_name(
    api, project, owner, reviewer, settings, monkeypatch, tmp_path, run_tasks_inline, certificate_for, delivered,
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    cert, key = self_signed_certificate(tmp_path, certificate_for)
    server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_side.load_cert_chain(cert, key)
    receiver = TlsReceiver(server_side)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the platform trusts this certificate as it would a CA's
    Dns(monkeypatch, ["127.0.0.1"], host="hooks.example")
    register(api, owner, project, f"https://hooks.example:{receiver.port}/hook", ["asset.review_changed"])
    api(reviewer).post(f"/api/v1/assets/{stored_asset(project).id}/reviews/", {"decision": "approve"})

    delivery = WebhookDelivery.objects.get()
    if delivered:
        assert delivery.status == DeliveryStatus.SUCCEEDED
        assert verify(receiver.received[0], SECRET)["type"] == "asset.review_changed"
    else:  # connected to the checked address, but the certificate is not for the URL's host name
        assert delivery.status == DeliveryStatus.FAILED and receiver.received == []
        assert "CERTIFICATE_VERIFY_FAILED" in delivery.attempt_log.get().error


def test_a_slow_drip_receiver_is_cut_off_at_the_total_time(api, project, owner, reviewer, settings, run_tasks_inline):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1.0
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver = Misbehaving(drip)
    register(api, owner, project, receiver.url, ["asset.review_changed"])
    api(reviewer).post(f"/api/v1/assets/{stored_asset(project).id}/reviews/", {"decision": "approve"})

    attempt = WebhookDelivery.objects.get().attempt_log.get()
    assert attempt.duration_ms < 1500 and "within 1 s" in attempt.error
    assert receiver.finished.wait(5)  # its connection was closed on it


def test_an_oversized_answer_is_read_only_up_to_the_cap(api, project, owner, reviewer, settings, run_tasks_inline):
    settings.WEBHOOK_MAX_RESPONSE_BYTES = 64 * 1024
    receiver = Misbehaving(flood)
    register(api, owner, project, receiver.url, ["asset.review_changed"])
    api(reviewer).post(f"/api/v1/assets/{stored_asset(project).id}/reviews/", {"decision": "approve"})

    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert receiver.finished.wait(10)
    assert receiver.bytes_sent < 32 * 1024 * 1024  # it wanted to send 400 MiB; we hung up after 64 KiB


def test_only_owners_manage_webhooks(api, project, editor, owner):
    assert api(editor).get(f"/api/v1/projects/{project.id}/webhooks/").status_code == 403
    created = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": "https://example.com/h", "events": ["nope"]})
    assert created.status_code == 400 and created.json()["error"]["field"].startswith("events")
    endpoint = register(api, owner, project, "http://127.0.0.1:9/h", ["generation.failed"])
    assert api(editor).post(f"/api/v1/webhooks/{endpoint['id']}/rotate-secret/", {}).status_code == 403


def test_a_delivery_moves_only_as_its_table_allows_and_a_stale_caller_changes_nothing(project):
    endpoint = WebhookEndpoint.objects.create(project=project, url="https://hooks.example.com/in", events=["generation.succeeded"])
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event="generation.succeeded", payload={}, next_attempt_at=timezone.now())

    assert WebhookDelivery.objects.move(delivery.pk, frm=DeliveryStatus.PENDING, to=DeliveryStatus.SUCCEEDED, delivered_at=timezone.now())
    # A second worker finishing the same attempt late: the row is no longer pending, nothing is written.
    assert not WebhookDelivery.objects.move(delivery.pk, frm=DeliveryStatus.PENDING, to=DeliveryStatus.FAILED)
    with pytest.raises(ValueError, match="a webhook delivery cannot move from succeeded to failed"):
        WebhookDelivery.objects.move(delivery.pk, frm=DeliveryStatus.SUCCEEDED, to=DeliveryStatus.FAILED)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED

    services.delivery_redeliver(delivery=delivery)  # an operator's redelivery, from the admin
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.delivered_at) == (DeliveryStatus.PENDING, 0, None)


def test_an_event_emitted_again_under_its_key_is_still_one_delivery_per_endpoint(project, run_tasks_inline):
    receiver = Receiver()
    endpoint = WebhookEndpoint.objects.create(project=project, url=receiver.url, events=["generation.failed"])
    data = {"generation": "9f0c", "kind": "generate", "status": "failed", "error": None, "assets": []}

    first = services.event_emit(project=project, event="generation.failed", data=data, dedupe_key="generation.failed:9f0c")
    receiver.wait_for(1)
    again = services.event_emit(project=project, event="generation.failed", data=data, dedupe_key="generation.failed:9f0c")

    assert len(first) == 1 and again == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.pk == first[0].pk and delivery.status == DeliveryStatus.SUCCEEDED and delivery.endpoint == endpoint
    assert [d["headers"]["webhook-id"] for d in receiver.received] == [f"msg_{delivery.pk.hex}"]
    # Without a key (an event that may happen twice), each emit is its own delivery.
    services.event_emit(project=project, event="generation.failed", data=data)
    services.event_emit(project=project, event="generation.failed", data=data)
    assert WebhookDelivery.objects.count() == 3
