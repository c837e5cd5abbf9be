"""A campaign stage delivered in batch: one upstream batch for the stage, estimated and charged at
the batch price, landing as the stage's ordinary drafts; the stage run finishes when it lands."""

from decimal import Decimal

import pytest
from django.urls import reverse

from apps.batches.tasks import poll_batches
from apps.campaigns.models import StageRun
from apps.gemini import catalogue
from apps.generations.models import Generation
from tests.campaigns.helpers import campaign_body, library
from tests.conftest import emulated_batches

pytestmark = pytest.mark.django_db
NB2 = catalogue.get_model("nano-banana-2")


def test_drafts_stage_in_batch_is_one_upstream_batch_at_half_price(api, editor, project, batch_upstream, run_tasks_inline):
    character, products = library(project, products=2)
    campaign = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json").json()
    url = f"/api/v1/campaigns/{campaign['id']}/run/"

    preview = api(editor).post(url, {"stage": "drafts", "dry_run": True, "delivery": "batch"}, format="json").json()
    interactive = api(editor).post(url, {"stage": "drafts", "dry_run": True}, format="json").json()
    assert Decimal(preview["estimate_usd"]) * 2 == Decimal(interactive["estimate_usd"]) == NB2.price("512") * 4

    batch_upstream.batches.delay = 3600
    ran = api(editor).post(url, {"stage": "drafts", "delivery": "batch"}, format="json")
    assert ran.status_code == 201 and ran.json()["delivery"] == "batch" and ran.json()["jobs_created"] == 2
    [emulated] = emulated_batches(batch_upstream)
    assert emulated["requests"] == 4  # 2 cells x 2 variations, one upstream batch for the stage
    assert set(Generation.objects.values_list("status", "delivery")) == {("queued", "batch")}
    assert StageRun.objects.get().finished_at is None

    batch_upstream.batches.delay = 0
    poll_batches.apply()

    assert set(Generation.objects.values_list("status", flat=True)) == {"succeeded"}
    assert sum(g.cost_usd for g in Generation.objects.all()) == NB2.price("512", "batch") * 4
    assert StageRun.objects.get().finished_at is not None
    detail = api(editor).get(f"/api/v1/campaigns/{campaign['id']}/").json()
    assert [len(cell["drafts"]) for cell in detail["cells"]] == [2, 2]


def test_unknown_stage_delivery_is_refused_naming_the_field(api, editor, project):
    character, products = library(project)
    campaign = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json").json()
    response = api(editor).post(f"/api/v1/campaigns/{campaign['id']}/run/", {"stage": "drafts", "delivery": "overnight"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "delivery"



def test_the_campaign_page_offers_each_stage_in_batch_and_counts_what_waits(api, client, editor, project, batch_upstream, run_tasks_inline):
    character, products = library(project, products=2)
    campaign = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json").json()
    client.force_login(editor)
    page_url = reverse("campaign-page", args=[campaign["id"]])

    page = client.get(page_url).content.decode()
    assert f"Run drafts: 2 jobs · ${NB2.price('512') * 4:.2f}" in page
    assert f"or in batch: ${NB2.price('512', 'batch') * 4:.2f} · up to 24 hours" in page

    batch_upstream.batches.delay = 3600
    client.post(reverse("campaign-run-page", args=[campaign["id"]]), {"stage": "drafts", "delivery": "batch"})

    assert set(Generation.objects.values_list("status", "delivery")) == {("queued", "batch")}
    assert "2 in batch" in client.get(page_url).content.decode()
