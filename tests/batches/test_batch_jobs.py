"""Jobs delivered through the Batch API: REST in, one upstream batch per group, results stored as
interactive jobs store them. Real SDK over HTTP to the emulator; the beat's poll is called as the
beat calls it."""

import hashlib
from decimal import Decimal
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from apps.assets.models import Asset
from apps.batches.models import BatchRequest, UpstreamBatch
from apps.batches.services import batch_group_submit, batch_poll, batch_release_unwanted
from apps.batches.tasks import poll_batches
from apps.gemini import batches as gateway
from apps.gemini import catalogue
from apps.gemini.models import UpstreamSlot
from apps.generations import engine
from apps.generations import services as jobs
from apps.generations.models import Generation
from tests.conftest import emulated_batches
from tests.factories import LibraryEntryFactory, reference_image, stored_asset

pytestmark = pytest.mark.django_db
NB2 = catalogue.get_model("nano-banana-2")


def create(api, user, project, **body):
    body = {"prompt": "a lighthouse at dusk", "image_size": "512", "delivery": "batch"} | body
    response = api(user).post(f"/api/v1/projects/{project.id}/generations/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def job(api, user, job_id) -> dict:
    return api(user).get(f"/api/v1/generations/{job_id}/").json()


def test_a_batch_job_waits_queued_with_its_batch_state_then_lands_as_ordinary_assets(api, editor, project, batch_upstream):
    batch_upstream.batches.delay = 3600
    created = create(api, editor, project, count=2)
    assert created["status"] == "queued" and created["delivery"] == "batch"
    [batch] = batch_group_submit(generation_ids=[created["id"]])

    waiting = job(api, editor, created["id"])
    assert waiting["status"] == "queued" and waiting["delivery"] == "batch"
    assert waiting["batch"]["state"] == "JOB_STATE_PENDING" and waiting["batch"]["name"].startswith("batches/")
    checked_before = waiting["batch"]["last_checked_at"]
    batch_poll()
    assert job(api, editor, created["id"])["batch"]["last_checked_at"] > checked_before

    batch_upstream.batches.delay = 0
    batch_poll()

    done = job(api, editor, created["id"])
    assert done["status"] == "succeeded" and done["error"] is None
    assert done["batch"]["state"] == "JOB_STATE_SUCCEEDED"
    assert [a["output_index"] for a in done["assets"]] == [0, 1]
    assert Decimal(done["cost_usd"]) == NB2.price("512", "batch") * 2 == NB2.price("512") * 2 / 2
    assert done["usage"]["total_token_count"] > 0 and done["response_id"]
    lineage = api(editor).get(f"/api/v1/assets/{done['assets'][1]['id']}/lineage/").json()
    assert {"from": done["assets"][1]["id"], "to": done["assets"][0]["id"], "relation": "variation_of"} in lineage["edges"]
    thumb = api(editor).get(f"/api/v1/assets/{done['assets'][0]['id']}/thumbnail/")
    assert thumb.status_code in (200, 302)  # the bytes, or on a bucket a signed URL to them
    [emulated] = emulated_batches(batch_upstream)
    assert emulated["requests"] == 2 and emulated["display_name"] == batch.display_name
    assert batch_upstream.state.log == []  # no interactive call was made


def test_stored_like_an_interactive_job_the_models_bytes_unchanged_and_the_same_lineage(api, editor, project, batch_upstream):
    character = LibraryEntryFactory(project=project, name="Mia")
    reference_image(character)
    source = stored_asset(project, user=editor)
    body = {"kind": "edit", "prompt": "make the chair blue", "source_assets": [str(source.pk)], "characters": [str(character.pk)]}
    interactive = create(api, editor, project, delivery="interactive", **body)
    jobs.generation_run(generation_id=interactive["id"])
    batched = create(api, editor, project, **body)
    [batch] = batch_group_submit(generation_ids=[batched["id"]])
    batch_poll()

    first, second = job(api, editor, interactive["id"]), job(api, editor, batched["id"])
    assert first["status"] == second["status"] == "succeeded"
    # The stored file is exactly what the batch answered (each answer's bytes are its own upstream).
    batch.refresh_from_db()
    answered = gateway.batch_check(name=batch.upstream_name).results[f"{batched['id']}:0"].images[0].data
    with default_storage.open(Asset.objects.get(pk=second["assets"][0]["id"]).file.name, "rb") as handle:
        stored = handle.read()
    assert stored == answered and hashlib.sha256(stored).hexdigest() == second["assets"][0]["sha256"]
    for field in ("width", "height", "mime_type"):
        assert first["assets"][0][field] == second["assets"][0][field]
    assert first["references"] == second["references"]
    lineages = [api(editor).get(f"/api/v1/assets/{j['assets'][0]['id']}/lineage/").json() for j in (first, second)]
    shapes = [sorted((e["to"], e["relation"]) for e in lineage["edges"]) for lineage in lineages]
    assert shapes[0] == shapes[1] and ("edited_from" in {r for _to, r in shapes[0]}) and ("references" in {r for _to, r in shapes[0]})
    assert Decimal(second["cost_usd"]) * 2 == Decimal(first["cost_usd"])


def test_one_failed_request_fails_only_its_job_with_the_upstream_reason(api, editor, project, batch_upstream):
    good = create(api, editor, project, prompt="a cup")
    bad = create(api, editor, project, prompt="a pot [fault:400]")
    [batch] = batch_group_submit(generation_ids=[good["id"], bad["id"]])  # one request group, one upstream batch
    assert len(emulated_batches(batch_upstream)) == 1

    batch_poll()

    assert job(api, editor, good["id"])["status"] == "succeeded"
    failed = job(api, editor, bad["id"])
    assert failed["status"] == "failed" and failed["assets"] == [] and Decimal(failed["cost_usd"]) == 0
    assert failed["error"]["code"] == "batch_request_failed"
    assert "invalid argument" in failed["error"]["message"] and failed["batch"]["name"] in failed["error"]["message"]
    assert failed["batch"]["id"] == str(batch.pk)


@pytest.mark.parametrize(("marker", "code", "state"), [
    ("batch-expire", "batch_expired", "JOB_STATE_EXPIRED"), ("batch-fail", "batch_failed", "JOB_STATE_FAILED"),
])
def test_an_expired_or_failed_batch_fails_its_jobs_with_a_retryable_code(api, editor, project, batch_upstream, marker, code, state):
    created = create(api, editor, project, prompt=f"a kite [fault:{marker}]")
    batch_group_submit(generation_ids=[created["id"]])
    batch_poll()

    failed = job(api, editor, created["id"])
    assert failed["status"] == "failed" and failed["batch"]["state"] == state
    assert failed["error"]["code"] == code and "run the job again" in failed["error"]["message"]
    # Run again interactively: it goes through.
    again = create(api, editor, project, prompt=f"a kite [fault:{marker}]", delivery="interactive")
    jobs.generation_run(generation_id=again["id"])
    assert job(api, editor, again["id"])["status"] == "succeeded"


def test_a_crash_between_create_and_record_never_makes_a_second_upstream_batch(api, editor, project, batch_upstream, settings):
    created = create(api, editor, project)
    # What a worker killed right after its create call leaves: our row, unconfirmed, and the batch upstream.
    batch = UpstreamBatch.objects.create(project=project, model=NB2.model_id)
    BatchRequest.objects.create(batch=batch, generation_id=created["id"], output_index=0)
    item = gateway.BatchItem(key=f"{created['id']}:0", request=engine.build_request(Generation.objects.get(pk=created["id"])))
    gateway.batch_submit(display_name=batch.display_name, model_id=batch.model, items=[item])
    UpstreamBatch.objects.filter(pk=batch.pk).update(lease_until=timezone.now() - timedelta(seconds=1))

    batch_poll()  # takes the stalled submission over: finds the batch by display name, records it
    batch_poll()

    assert len(emulated_batches(batch_upstream)) == 1
    batch.refresh_from_db()
    assert batch.upstream_name == emulated_batches(batch_upstream)[0]["name"] and batch.collected_at
    assert job(api, editor, created["id"])["status"] == "succeeded"


def test_a_submission_whose_message_was_lost_is_made_by_the_poller(api, editor, project, batch_upstream, settings):
    settings.BATCH_LEASE_SECONDS = 0
    created = create(api, editor, project)  # its on-commit submit never ran
    batch_poll()
    batch_poll()
    assert len(emulated_batches(batch_upstream)) == 1
    assert job(api, editor, created["id"])["status"] == "succeeded"


def test_canceling_the_only_wanted_job_cancels_its_upstream_batch(api, editor, project, batch_upstream, run_tasks_inline):
    batch_upstream.batches.delay = 3600
    created = create(api, editor, project)  # submitted on commit by the (inline) task
    assert job(api, editor, created["id"])["batch"]["state"] == "JOB_STATE_PENDING"

    canceled = api(editor).post(f"/api/v1/generations/{created['id']}/cancel/")

    assert canceled.status_code == 200 and canceled.json()["status"] == "canceled"
    [emulated] = emulated_batches(batch_upstream)
    assert emulated["state"] == "BATCH_STATE_CANCELLED"
    assert job(api, editor, created["id"])["batch"]["state"] == "JOB_STATE_CANCELLED"


def test_canceling_one_job_keeps_the_batch_its_neighbour_still_wants(api, editor, project, batch_upstream):
    kept, dropped = create(api, editor, project, prompt="a cup"), create(api, editor, project, prompt="a pot")
    batch_group_submit(generation_ids=[kept["id"], dropped["id"]])
    api(editor).post(f"/api/v1/generations/{dropped['id']}/cancel/")
    batch_release_unwanted(generation_id=dropped["id"])
    assert emulated_batches(batch_upstream)[0]["state"] != "BATCH_STATE_CANCELLED"

    poll_batches()

    assert job(api, editor, kept["id"])["status"] == "succeeded"
    dropped_now = job(api, editor, dropped["id"])
    assert dropped_now["status"] == "canceled" and dropped_now["assets"] == []


def test_batch_requests_do_not_count_against_the_rate_limit(api, editor, project, batch_upstream, settings):
    settings.GEMINI_RPM = {"nano-banana-2": 1}
    created = create(api, editor, project, count=4)
    batch_group_submit(generation_ids=[created["id"]])
    batch_poll()

    assert job(api, editor, created["id"])["status"] == "succeeded"
    assert not UpstreamSlot.objects.exists()  # no slot was ever reserved


def test_budget_counts_a_batch_job_at_the_batch_price(api, editor, project, batch_upstream):
    project.monthly_budget_usd = NB2.price("4K", "batch") + Decimal("0.01")  # under the interactive price
    project.save()

    refused = api(editor).post(
        f"/api/v1/projects/{project.id}/generations/", {"prompt": "x", "image_size": "4K"}, format="json"
    )
    assert refused.status_code == 402 and refused.json()["error"]["code"] == "budget_exceeded"
    create(api, editor, project, image_size="4K")


def test_waiting_batch_jobs_are_not_recovered_into_interactive_runs(api, editor, project, batch_upstream):
    created = create(api, editor, project)
    Generation.objects.filter(pk=created["id"]).update(created_at=timezone.now() - timedelta(days=1))

    jobs.generation_recover(stale_after=1)

    assert batch_upstream.state.log == []
    assert job(api, editor, created["id"])["status"] == "queued"


def test_unknown_delivery_is_refused_naming_the_field(api, editor, project, batch_upstream):
    response = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x", "delivery": "overnight"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "delivery"


def test_vertex_ai_refuses_batch_delivery_with_a_clear_message(api, editor, project, batch_upstream, monkeypatch):
    monkeypatch.setenv("GOOGLE_GENAI_USE_VERTEXAI", "true")
    monkeypatch.setenv("GOOGLE_API_KEY", "vertex-express-key")
    monkeypatch.delenv("GEMINI_API_KEY")

    response = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x", "delivery": "batch"}, format="json")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "delivery" and "Vertex AI" in error["message"] and "interactive" in error["message"]
    assert not Generation.objects.exists() and not UpstreamBatch.objects.exists()


def test_batch_jobs_made_in_one_transaction_share_one_upstream_batch(editor, project, batch_upstream, run_tasks_inline):
    with transaction.atomic():  # as a campaign stage creates its jobs
        made = [
            jobs.generation_create(project=project, user=editor, data=jobs.GenerationInput(prompt=prompt, image_size="512", delivery="batch"))[0]
            for prompt in ("a cup", "a pot", "a pan")
        ]

    [emulated] = emulated_batches(batch_upstream)
    assert emulated["requests"] == 3
    assert UpstreamBatch.objects.count() == 1
    assert set(BatchRequest.objects.values_list("generation_id", flat=True)) == {g.pk for g in made}
