"""Batch delivery end to end: REST on a live server, a real Celery worker with its beat, the real
SDK against the emulator's Batch and Files API."""

import signal
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from apps.gemini import catalogue
from tests.conftest import emulated_batches
from tests.factories import ProjectFactory
from tests.integration.test_pages_in_browser import log_in
from tests.waiting import wait_for

pytestmark = pytest.mark.integration
NB2 = catalogue.get_model("nano-banana-2")


@pytest.fixture
def start_worker(start_worker, emulator):
    """Starts a worker whose beat polls batches every half second and takes over a submission
    whose worker went silent for 2 s."""
    emulator.state.reset()
    emulator.batches.reset()
    emulator.batches.delay = 0
    yield lambda **extra_env: start_worker(beat=True, BATCH_POLL_INTERVAL_SECONDS="0.5", BATCH_LEASE_SECONDS="2", **extra_env)
    emulator.batches.delay = 0


def create_project(rest) -> str:
    return rest.post("/api/v1/projects/", {"name": "Batch"}).json()["id"]


@pytest.mark.parametrize("inline_limit", ["0", "1"], ids=["inlined", "jsonl-file"])
def test_a_batch_job_lands_as_ordinary_assets_at_the_batch_price(rest, emulator, start_worker, inline_limit):
    start_worker(GEMINI_BATCH_INLINE_LIMIT_BYTES=inline_limit)
    project = create_project(rest)

    created = rest.post(f"/api/v1/projects/{project}/generations/", {"prompt": "a harbour", "image_size": "512", "count": 2, "delivery": "batch"})
    assert created.status_code == 201, created.text
    job = rest.wait_for_job(created.json()["id"], timeout=60)

    assert job["status"] == "succeeded" and job["delivery"] == "batch", job
    assert job["batch"]["state"] == "JOB_STATE_SUCCEEDED" and job["batch"]["last_checked_at"], job
    assert Decimal(job["cost_usd"]) == NB2.price("512", "batch") * 2
    assert len(job["assets"]) == 2
    data = rest.get(f"/api/v1/assets/{job['assets'][0]['id']}/file/").content
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) == job["assets"][0]["size_bytes"]
    batches = emulated_batches(emulator)
    assert len(batches) == 1, batches
    [batch] = batches
    assert batch["file_input"] is (inline_limit == "1") and batch["requests"] == 2
    assert emulator.state.log == [], emulator.state.log  # nothing went through the interactive endpoint


def test_a_worker_killed_between_create_and_record_leaves_one_upstream_batch(rest, emulator, start_worker):
    first = start_worker()
    project = create_project(rest)
    # The emulator records the batch, then waits 20 s before answering the create call.
    created = rest.post(f"/api/v1/projects/{project}/generations/", {"prompt": "a pier [fault:batch-slow=20]", "image_size": "512", "delivery": "batch"})
    job_id = created.json()["id"]
    wait_for(lambda: emulated_batches(emulator), interval=0.05, what="the worker's create call")
    first.stop(signal.SIGKILL)
    assert rest.get(f"/api/v1/generations/{job_id}/").json()["batch"]["state"] == "SUBMITTING"

    start_worker()
    job = rest.wait_for_job(job_id, timeout=60)

    assert job["status"] == "succeeded", job["error"]
    assert len(emulated_batches(emulator)) == 1
    assert job["batch"]["name"] == emulated_batches(emulator)[0]["name"]


def test_the_generate_form_shows_both_prices_and_the_batch_turnaround_in_a_browser(browser_page, person):
    project = ProjectFactory(name="Acme Coffee")
    person(project, "editor", "erin")
    log_in(browser_page, "erin")
    browser_page.goto(reverse("generate", args=[project.pk]))
    browser_page.get_by_label("Size").select_option("512")
    browser_page.get_by_label("Images").fill("2")

    expect(browser_page.locator("#price")).to_have_text(
        "Interactive: about $0.090, in a minute or so. Batch: about $0.045, up to 24 hours."
    )
    browser_page.get_by_label("Batch (half price, up to 24 h)").check()
    expect(browser_page.get_by_label("Batch (half price, up to 24 h)")).to_be_checked()


def test_partial_failure_and_expiry_fail_only_their_jobs_with_their_reasons(rest, emulator, start_worker):
    start_worker()
    project = create_project(rest)
    url = f"/api/v1/projects/{project}/generations/"
    ids = {
        prompt: rest.post(url, {"prompt": prompt, "image_size": "512", "delivery": "batch"}).json()["id"]
        for prompt in ("a kite", "a pot [fault:400]", "a boat [fault:batch-expire]")
    }

    jobs = {prompt: rest.wait_for_job(job_id, timeout=60) for prompt, job_id in ids.items()}

    assert jobs["a kite"]["status"] == "succeeded"
    assert jobs["a pot [fault:400]"]["status"] == "failed"
    assert jobs["a pot [fault:400]"]["error"]["code"] == "batch_request_failed"
    assert jobs["a boat [fault:batch-expire]"]["error"]["code"] == "batch_expired"
    assert jobs["a boat [fault:batch-expire]"]["batch"]["state"] == "JOB_STATE_EXPIRED"


def test_canceling_a_waiting_batch_job_cancels_its_upstream_batch(rest, emulator, start_worker):
    emulator.batches.delay = 3600
    start_worker()
    project = create_project(rest)
    job_id = rest.post(f"/api/v1/projects/{project}/generations/", {"prompt": "a tent", "image_size": "512", "delivery": "batch"}).json()["id"]
    wait_for(lambda: (rest.get(f"/api/v1/generations/{job_id}/").json()["batch"] or {}).get("state") == "JOB_STATE_PENDING",
             what="the batch submitted")

    assert rest.post(f"/api/v1/generations/{job_id}/cancel/").json()["status"] == "canceled"

    wait_for(lambda: emulated_batches(emulator)[0]["state"] == "BATCH_STATE_CANCELLED",
             what=lambda: f"the upstream batch cancelled ({emulated_batches(emulator)})")
    assert rest.get(f"/api/v1/generations/{job_id}/").json()["assets"] == []
