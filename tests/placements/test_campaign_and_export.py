"""A campaign whose formats name placements generates once per distinct ratio and exports every
placement from that asset; the project export takes placements= too."""

import io
import json
import zipfile

import pytest
from PIL import Image

from apps.placements import catalogue
from tests.campaigns.helpers import campaign_body, library
from tests.placements.helpers import photo_asset

pytestmark = pytest.mark.django_db

PLACEMENTS = ["meta_feed_4x5", "meta_story", "google_demand_gen_9x16"]


def run(api, user, campaign_id, stage):
    answer = api(user).post(f"/api/v1/campaigns/{campaign_id}/run/", {"stage": stage}, format="json")
    assert answer.status_code in (200, 201), answer.json()
    return answer.json()


def detail(api, user, campaign_id):
    return api(user).get(f"/api/v1/campaigns/{campaign_id}/").json()


def approve(api, user, asset_id):
    assert api(user).post(f"/api/v1/assets/{asset_id}/reviews/", {"decision": "approve"}, format="json").status_code == 201


def zip_of(response) -> zipfile.ZipFile:
    assert response.status_code == 200, getattr(response, "content", b"")[:300]
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def test_three_placements_of_two_ratios_cost_two_generations_per_cell_and_language_and_export_three_files_per_version(
    api, editor, reviewer, project, upstream, run_tasks_inline,
):
    character, products = library(project, products=1)
    body = campaign_body(character, products, formats=PLACEMENTS, variations=1)
    created = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    campaign = created.json()
    assert campaign["formats"] == ["4:5", "9:16"] and campaign["placements"] == PLACEMENTS
    assert len(campaign["cells"]) == 2

    assert run(api, editor, campaign["id"], "drafts")["jobs_created"] == 2  # 4:5 and 9:16, not three
    assert sorted(call["image_config"]["aspect_ratio"] for call in upstream.state.log) == ["4:5", "9:16"]
    for cell in detail(api, editor, campaign["id"])["cells"]:
        approve(api, reviewer, cell["drafts"][0])
    assert run(api, editor, campaign["id"], "localise")["jobs_created"] == 2  # de: one per ratio
    versions = [v for cell in detail(api, editor, campaign["id"])["cells"] for v in cell["versions"]]
    for version in versions:
        if version["language"] != "source":
            approve(api, reviewer, version["asset"])
    assert run(api, editor, campaign["id"], "finalise")["jobs_created"] == 4  # 2 ratios × (source, de)
    for cell in detail(api, editor, campaign["id"])["cells"]:
        for version in cell["versions"]:
            approve(api, reviewer, version["final"])

    archive = zip_of(api(editor).get(f"/api/v1/campaigns/{campaign['id']}/export/?placements=campaign"))
    manifest = json.loads(archive.read("manifest.json"))
    names = sorted(line["file"] for line in manifest["assets"])
    assert names == sorted(
        f"{catalogue.catalogue_placement(key).channel}/{key}/{language}/trail-shoe-1-1.jpg"
        for key in PLACEMENTS for language in ("source", "de")
    )
    for line in manifest["assets"]:
        placement = catalogue.catalogue_placement(line["placement"])
        data = archive.read(line["file"])
        assert len(data) == line["size_bytes"] <= placement.max_bytes
        assert Image.open(io.BytesIO(data)).size == (placement.width, placement.height) == (line["width"], line["height"])
        assert line["format"] == "JPEG" and line["safe_zones"]["status"] in ("pass", "warn", "unchecked")
        assert line["campaign"]["format"] == placement.ratio


def test_a_campaign_format_that_is_neither_a_ratio_nor_a_placement_is_refused(api, editor, project):
    character, products = library(project, products=1)
    answer = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products, formats=["4:5", "tiktok"]), format="json")
    assert answer.status_code == 400
    error = answer.json()["error"]
    assert error["field"] == "formats" and "'tiktok'" in error["message"] and "/api/v1/placements/" in error["message"]


def test_the_project_export_takes_placements_and_writes_size_bytes_format_and_safe_zones(api, project, editor, reviewer):
    asset = photo_asset(project, 1200, 1200, user=editor)
    approve(api, reviewer, asset.pk)
    archive = zip_of(api(editor).get(f"/api/v1/projects/{project.id}/exports/?placements=iab_leaderboard,meta_story"))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["placements"] == ["iab_leaderboard", "meta_story"]
    assert sorted(line["file"] for line in manifest["files"]) == [f"iab/iab_leaderboard/{asset.pk}.jpg", f"meta/meta_story/{asset.pk}.jpg"]
    for line in manifest["files"]:
        assert len(archive.read(line["file"])) == line["size_bytes"] and line["content_credentials"]
    unknown = api(editor).get(f"/api/v1/projects/{project.id}/exports/?placements=nope")
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "placements"


def test_the_new_campaign_page_offers_placements_and_creates_a_cell_per_distinct_ratio(client, editor, project):
    from apps.campaigns.models import Campaign

    character, products = library(project, products=1)
    client.force_login(editor)
    page = client.get(f"/projects/{project.id}/campaigns/new/").content.decode()
    assert "Channel placements" in page and 'value="meta_story"' in page and "1080×1920 · 9:16" in page
    answer = client.post(f"/projects/{project.id}/campaigns/new/", {
        "name": "Stories", "products": [str(products[0].pk)], "scenes": "a park", "formats": ["meta_story", "google_demand_gen_9x16", "1:1"],
        "variations": 1, "draft_model": "nano-banana-2", "draft_size": "512", "final_model": "nano-banana-2", "final_size": "2K",
    })
    assert answer.status_code == 302, answer.content.decode()[:2000]
    campaign = Campaign.objects.get(name="Stories")
    assert campaign.formats == ["9:16", "1:1"] and campaign.placements == ["meta_story", "google_demand_gen_9x16"]
    assert campaign.cells.count() == 2
    summary = client.post(f"/projects/{project.id}/campaigns/summary/", {
        "products": [str(products[0].pk)], "scenes": "a park", "formats": ["meta_story", "google_demand_gen_9x16"], "variations": 1})
    assert summary.status_code == 200
