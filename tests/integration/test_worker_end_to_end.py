"""The walking skeleton end to end: web API -> broker -> real worker -> real SDK -> emulator -> storage."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from PIL import Image

from apps.gemini import catalogue
from apps.webhooks.models import DeliveryAttempt, WebhookEndpoint
from tests.waiting import wait_for
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_prompt_becomes_a_stored_private_reviewable_image(rest, rest_as, worker, upstream):
    project = rest.post("/api/v1/projects/", {"name": "Acme", "brief": "Blue and white."}).json()
    created = rest.post(
        f"/api/v1/projects/{project['id']}/generations/",
        {"prompt": "a sailboat on a calm sea", "model": "nano-banana-2", "aspect_ratio": "16:9", "image_size": "2K"},
    )
    assert created.status_code == 201, created.text
    # The answer reads the row after the commit that sent the job: a fast worker may have claimed it.
    assert created.json()["status"] in ("queued", "running")

    job = rest.wait_for_job(created.json()["id"])

    assert job["status"] == "succeeded", job["error"]
    assert job["usage"]["total_token_count"] > 0
    assert Decimal(job["cost_usd"]) == catalogue.get_model("nano-banana-2").price("2K")
    [asset] = job["assets"]
    file = rest.get(f"/api/v1/assets/{asset['id']}/file/")
    image = Image.open(io.BytesIO(file.content))
    assert image.format == "PNG"
    assert image.size == catalogue.pixel_size("16:9", "2K") == (asset["width"], asset["height"])
    thumb = rest.get(f"/api/v1/assets/{asset['id']}/thumbnail/")
    assert thumb.status_code == 200 and thumb.headers["Content-Type"] == "image/webp"
    assert len(upstream.state.log) == 1

    assert rest.post(f"/api/v1/assets/{asset['id']}/reviews/", {"decision": "approve"}).status_code == 403  # four-eyes
    review = rest_as(project["id"], "reviewer").post(f"/api/v1/assets/{asset['id']}/reviews/", {"decision": "approve"})
    assert review.status_code == 201 and review.json()["review_status"] == "approved"


def test_a_safety_block_fails_the_job_with_a_clear_code(rest, worker, upstream):
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    created = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "something [fault:safety]"})

    job = rest.wait_for_job(created.json()["id"])

    assert job["status"] == "failed"
    assert job["error"]["code"] == "blocked" and "IMAGE_SAFETY" in job["error"]["message"]
    assert job["assets"] == []



def test_a_slow_failing_webhook_receiver_never_holds_up_the_job(rest, worker, upstream):
    receiver = Receiver(fail_first=100, delay=5)
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    WebhookEndpoint.objects.create(project_id=project["id"], url=receiver.url, events=["generation.succeeded"])
    created = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "a lighthouse"})

    job = rest.wait_for_job(created.json()["id"], timeout=20)

    assert job["status"] == "succeeded"
    took = datetime.fromisoformat(job["finished_at"]) - datetime.fromisoformat(job["created_at"])
    assert took.total_seconds() < 5  # the receiver's 5 s answer did not delay the job
    wait_for(DeliveryAttempt.objects.exists, 20, interval=0.2, what="a delivery attempt")
    assert DeliveryAttempt.objects.get().response_code == 500
