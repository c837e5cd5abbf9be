"""Campaigns over REST with the real task code, the real SDK and the emulator over HTTP."""

import hashlib
import io
import json
import zipfile
from decimal import Decimal

import pytest

from apps.campaigns.models import Campaign, CampaignJob
from apps.gemini import catalogue
from apps.generations.models import Generation
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.campaigns.helpers import campaign_body, library
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def create(api, user, project, body):
    return api(user).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json")


def run(api, user, campaign_id, stage, **extra):
    return api(user).post(f"/api/v1/campaigns/{campaign_id}/run/", {"stage": stage, **extra}, format="json")


def detail(api, user, campaign_id):
    return api(user).get(f"/api/v1/campaigns/{campaign_id}/").json()


def decide(api, user, asset_id, decision="approve"):
    comment = "" if decision == "approve" else "not on brand"
    response = api(user).post(f"/api/v1/assets/{asset_id}/reviews/", {"decision": decision, "comment": comment}, format="json")
    assert response.status_code == 201, response.json()


def test_the_list_is_a_cursor_page_of_the_projects_campaigns(api, editor, viewer, outsider, project):
    character, products = library(project, products=1)
    campaign_id = create(api, editor, project, campaign_body(character, products)).json()["id"]

    page = api(viewer).get(f"/api/v1/projects/{project.id}/campaigns/")
    assert page.status_code == 200
    assert set(page.json()) == {"next", "previous", "results"}
    assert [c["id"] for c in page.json()["results"]] == [campaign_id]
    assert api(outsider).get(f"/api/v1/projects/{project.id}/campaigns/").status_code == 404


def test_create_answers_cells_and_estimates(api, editor, project):
    character, products = library(project, products=2)
    response = create(api, editor, project, campaign_body(character, products, formats=["4:5", "9:16"], languages=["de", "fr"]))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert len(body["cells"]) == 4 and all(cell["drafts"] == [] and cell["chosen"] is None for cell in body["cells"])
    draft, final = catalogue.get_model("nano-banana-2").price("512"), catalogue.get_model("nano-banana-2").price("2K")
    assert Decimal(body["stages"]["drafts"]["estimate_usd"]) == 4 * 2 * draft
    assert Decimal(body["stages"]["localise"]["estimate_usd"]) == 4 * 2 * draft
    assert Decimal(body["stages"]["finalise"]["estimate_usd"]) == 4 * 3 * final
    assert Decimal(body["estimate_usd"]) == 8 * draft + 8 * draft + 12 * final
    assert body["spent_usd"] == "0"


def test_a_stage_run_in_batch_is_projected_at_the_batch_price(api, editor, project, upstream):
    character, products = library(project, products=2)
    campaign_id = create(api, editor, project, campaign_body(character, products, languages=["de"])).json()["id"]
    model = catalogue.get_model("nano-banana-2")

    assert run(api, editor, campaign_id, "drafts", delivery="batch").status_code == 201
    body = detail(api, editor, campaign_id)

    drafts, localise = body["stages"]["drafts"], body["stages"]["localise"]
    assert Decimal(drafts["estimate_usd"]) == drafts["images"] * model.price("512", "batch")
    assert Decimal(localise["estimate_usd"]) == localise["images"] * model.price("512")
    assert model.price("512", "batch") < model.price("512")


@pytest.mark.parametrize(
    ("override", "field"),
    [
        ({"products": []}, "products"),
        ({"scenes": []}, "scenes"),
        ({"formats": ["8:1"], "final": {"model": "nano-banana-pro", "image_size": "4K"}}, "formats"),
        ({"formats": ["7:3"]}, "formats"),
        ({"languages": ["xx"]}, "languages"),
        ({"copy_by_language": {"fr": "Cours"}}, "copy_by_language"),
        ({"variations": 5}, "variations"),
        ({"final": {"model": "nano-banana-2", "image_size": "512"}}, "final.image_size"),
        ({"draft": {"model": "dall-e", "image_size": "512"}}, "draft.model"),
        ({"colour": "teal"}, "colour"),
    ],
)
def test_bad_campaigns_name_the_field_and_store_nothing(api, editor, project, override, field):
    character, products = library(project)
    response = create(api, editor, project, campaign_body(character, products) | override)

    assert response.status_code == 400, response.json()
    assert response.json()["error"]["field"] == field
    assert not Campaign.objects.exists()


def test_a_stage_over_the_job_limit_is_refused_with_the_limit(api, editor, project):
    character, products = library(project, products=3)
    body = campaign_body(character, products, scenes=[f"scene {i}" for i in range(20)], formats=["1:1", "4:5", "9:16", "16:9", "3:2"],
                         languages=["de", "fr", "es", "it"])
    response = create(api, editor, project, body)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["details"] == {"limit": 1000, "value": 1500, "stage": "finalise"}
    assert "1000" in error["message"]


def test_products_from_another_project_are_unknown(api, editor, project):
    character, _ = library(project)
    _, foreign = library(ProjectFactory())
    response = create(api, editor, project, campaign_body(character, foreign))
    assert response.status_code == 400 and response.json()["error"]["field"] == "products"


def test_outsiders_get_404_and_viewers_may_not_create_or_run(api, editor, viewer, outsider, project):
    character, products = library(project)
    campaign_id = create(api, editor, project, campaign_body(character, products)).json()["id"]

    assert api(outsider).get(f"/api/v1/campaigns/{campaign_id}/").status_code == 404
    assert run(api, outsider, campaign_id, "drafts").status_code == 404
    assert api(outsider).get(f"/api/v1/campaigns/{campaign_id}/export/").status_code == 404
    cell_id = Campaign.objects.get().cells.get().pk
    assert api(outsider).post(f"/api/v1/campaigns/{campaign_id}/cells/{cell_id}/choose/", {"asset": str(cell_id)}, format="json").status_code == 404
    assert create(api, viewer, project, campaign_body(character, products)).status_code == 403
    assert run(api, viewer, campaign_id, "drafts").status_code == 403
    assert api(viewer).get(f"/api/v1/campaigns/{campaign_id}/").status_code == 200


def test_a_stage_over_the_remaining_budget_is_refused_whole_with_the_figures(api, editor, project, upstream):
    project.monthly_budget_usd = Decimal("0.10")
    project.save()
    character, products = library(project, products=2)
    campaign_id = create(api, editor, project, campaign_body(character, products)).json()["id"]

    dry = run(api, editor, campaign_id, "drafts", dry_run=True).json()
    assert dry["jobs_created"] == 0 and dry["jobs_planned"] == 2 and Decimal(dry["estimate_usd"]) == Decimal("0.18")
    response = run(api, editor, campaign_id, "drafts")

    assert response.status_code == 402
    error = response.json()["error"]
    assert error["code"] == "budget_exceeded"
    assert error["details"]["jobs"] == 2 and Decimal(error["details"]["estimate_usd"]) == Decimal("0.18")
    assert error["details"]["budget_usd"] == "0.10"
    assert not Generation.objects.exists() and upstream.state.log == []


def test_whole_flow_inline(api, editor, reviewer, project, upstream, run_tasks_inline):
    """Drafts, choose (by approval and by pick), localise, review, finalise, re-run, export."""
    WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["campaign.stage_finished"])
    character, products = library(project, products=2)
    campaign_id = create(api, editor, project, campaign_body(character, products, copy_by_language={"de": "Heller laufen"})).json()["id"]

    assert run(api, editor, campaign_id, "drafts").json()["jobs_created"] == 2
    assert run(api, editor, campaign_id, "drafts").json()["jobs_created"] == 0  # nothing twice
    cells = detail(api, editor, campaign_id)["cells"]
    assert [len(cell["drafts"]) for cell in cells] == [2, 2]
    assert len(upstream.state.log) == 4
    first, second = cells
    # Approving a draft of a cell with none chosen makes it the chosen one; a decider may also pick.
    decide(api, reviewer, first["drafts"][1])
    response = api(reviewer).post(f"/api/v1/campaigns/{campaign_id}/cells/{second['id']}/choose/", {"asset": second["drafts"][0]}, format="json")
    assert response.status_code == 200, response.json()
    refused = api(editor).post(f"/api/v1/campaigns/{campaign_id}/cells/{second['id']}/choose/", {"asset": second["drafts"][0]}, format="json")
    # The review policy's own refusal, word for word.
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Your role (editor) may not decide reviews in this project. Allowed roles: reviewer, owner."
    wrong = api(reviewer).post(f"/api/v1/campaigns/{campaign_id}/cells/{second['id']}/choose/", {"asset": first["drafts"][0]}, format="json")
    assert wrong.status_code == 400 and wrong.json()["error"]["field"] == "asset"
    decide(api, reviewer, second["drafts"][0])
    cells = detail(api, editor, campaign_id)["cells"]
    assert cells[0]["chosen"] == first["drafts"][1] and cells[1]["chosen"] == second["drafts"][0]

    assert run(api, editor, campaign_id, "localise").json()["jobs_created"] == 2
    german = [call for call in upstream.state.log if call["texts"] and "German" in " ".join(call["texts"])]
    assert len(german) == 2 and all("Heller laufen" in " ".join(call["texts"]) for call in german)
    cells = detail(api, editor, campaign_id)["cells"]
    versions = {(cell["id"], v["language"]): v for cell in cells for v in cell["versions"]}
    assert all(v["asset"] for v in versions.values())
    decide(api, reviewer, versions[(cells[0]["id"], "de")]["asset"])
    decide(api, reviewer, versions[(cells[1]["id"], "de")]["asset"], "reject")

    result = run(api, editor, campaign_id, "finalise").json()
    assert result["jobs_created"] == 3  # the rejected version gets no final
    cells = detail(api, editor, campaign_id)["cells"]
    finals = {(cell["id"], v["language"]): v["final"] for cell in cells for v in cell["versions"]}
    assert finals[(cells[1]["id"], "de")] is None and sum(1 for f in finals.values() if f) == 3
    for (cell_id, _), final in finals.items():
        if final:
            asset = api(editor).get(f"/api/v1/assets/{final}/").json()
            assert (asset["width"], asset["height"]) == catalogue.pixel_size("4:5", "2K")
            assert asset["campaign"]["campaign"] == campaign_id and asset["campaign"]["cell"] == cell_id
            assert asset["campaign"]["stage"] == "finalise"
    assert run(api, editor, campaign_id, "finalise").json()["jobs_created"] == 0
    # The rejected version is made again by the next localise run, and only it.
    assert run(api, editor, campaign_id, "localise").json()["jobs_created"] == 1
    assert len(upstream.state.log) == 4 + 2 + 3 + 1

    listed = api(editor).get(f"/api/v1/projects/{project.id}/assets/", {"campaign": campaign_id, "page_size": 100}).json()["results"]
    assert len(listed) == 4 + 2 + 3 + 1

    for final in [f for f in finals.values() if f]:
        decide(api, reviewer, final)
    export = api(editor).get(f"/api/v1/campaigns/{campaign_id}/export/")
    assert export.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(export.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    names = sorted(entry["file"] for entry in manifest["assets"])
    assert names == ["de/4x5/trail-shoe-1-1.png", "source/4x5/trail-shoe-1-1.png", "source/4x5/trail-shoe-2-1.png"]
    for entry in manifest["assets"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["file_sha256"] and entry["content_credentials"]
        assert entry["campaign"]["format"] == "4:5" and entry["generation"]["kind"] == "upscale"
        assert entry["generation"]["references"]

    final = manifest["assets"][0]
    credentials = api(editor).get(f"/api/v1/assets/{final['id']}/credentials/").json()
    where = credentials["platform"]["campaign"]
    assert (where["campaign"], where["cell"], where["language"]) == (campaign_id, final["campaign"]["cell"], final["campaign"]["language"])

    finished = WebhookDelivery.objects.filter(event="campaign.stage_finished").order_by("created_at")
    assert [d.payload["data"]["stage"] for d in finished] == ["drafts", "localise", "finalise", "localise"]
    assert CampaignJob.objects.count() == 8


def test_campaign_detail_queries_do_not_grow_with_cells(api, editor, project):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    character, products = library(project, products=3)
    counts = []
    for body in (campaign_body(character, products[:1]), campaign_body(character, products, scenes=["a", "b", "c"], formats=["4:5", "9:16"])):
        campaign_id = create(api, editor, project, body).json()["id"]
        run(api, editor, campaign_id, "drafts")  # jobs stay queued: no worker here
        with CaptureQueriesContext(connection) as queries:
            assert api(editor).get(f"/api/v1/campaigns/{campaign_id}/").status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
