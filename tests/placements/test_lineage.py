"""Placement files in the lineage: each file cut from an asset is a node with an edge
`placement_of` to it (REST and the asset page's lineage panel), and its Content Credentials name
the asset as its parent ingredient with that same relation."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.assets.credentials_reading import credentials_read
from apps.assets.models import AssetLink
from apps.placements import selectors, services
from apps.placements.selectors import placement_node_id
from tests.placements.helpers import photo_asset

pytestmark = pytest.mark.django_db


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def made(asset, *keys):
    for key in keys:
        services.placement_file(asset, selectors.placement_get(asset.project, key))


def test_each_placement_file_is_a_node_of_the_asset_lineage_with_its_edge(api, project, viewer):
    asset = photo_asset(project, 1200, 900)
    assert api(viewer).get(f"/api/v1/assets/{asset.pk}/lineage/").json()["edges"] == []  # none made yet: none drawn
    made(asset, "iab_leaderboard", "meta_story")
    lineage = api(viewer).get(f"/api/v1/assets/{asset.pk}/lineage/").json()
    files = {node["placement"]: node for node in lineage["nodes"] if node["type"] == "placement"}
    assert set(files) == {"iab_leaderboard", "meta_story"}
    leaderboard = files["iab_leaderboard"]
    assert leaderboard["id"] == str(placement_node_id(asset.pk, "iab_leaderboard")) and leaderboard["asset"] == str(asset.pk)
    assert (leaderboard["width"], leaderboard["height"], leaderboard["channel"]) == (728, 90, "iab")
    assert leaderboard["file_url"].endswith(f"/api/v1/assets/{asset.pk}/placements/iab_leaderboard/")
    assert sorted((e["from"], e["to"], e["relation"]) for e in lineage["edges"]) == sorted(
        (node["id"], str(asset.pk), "placement_of") for node in files.values()
    )
    # The node's file is the one served, and its size is what the node says.
    data = body(api(viewer).get(leaderboard["file_url"]))
    assert len(data) == leaderboard["size_bytes"]


def test_a_remade_file_keeps_its_node_and_a_placement_file_is_one_node_however_often_made(api, project, editor, viewer):
    asset = photo_asset(project, 1200, 900)
    made(asset, "iab_leaderboard")
    before = api(viewer).get(f"/api/v1/assets/{asset.pk}/lineage/").json()
    assert api(editor).patch(f"/api/v1/assets/{asset.pk}/", {"focal_point": {"x": 0.1, "y": 0.2}}, format="json").status_code == 200
    asset.refresh_from_db()
    made(asset, "iab_leaderboard")  # a new file for the new focal point; the old one goes
    after = api(viewer).get(f"/api/v1/assets/{asset.pk}/lineage/").json()
    assert [n["id"] for n in after["nodes"] if n["type"] == "placement"] == [n["id"] for n in before["nodes"] if n["type"] == "placement"]
    assert len(after["edges"]) == 1


def test_files_of_descendants_are_in_the_lineage_but_not_an_ancestors(api, project, viewer):
    source = photo_asset(project, 1200, 900)
    child = photo_asset(project, 1200, 900, seed=3)
    AssetLink.objects.create(child=child, parent=source, relation="edited_from")
    made(source, "iab_leaderboard")
    made(child, "iab_medium_rectangle")
    from_source = api(viewer).get(f"/api/v1/assets/{source.pk}/lineage/").json()
    assert {(n["asset"], n["placement"]) for n in from_source["nodes"] if n["type"] == "placement"} == {
        (str(source.pk), "iab_leaderboard"), (str(child.pk), "iab_medium_rectangle"),
    }
    from_child = api(viewer).get(f"/api/v1/assets/{child.pk}/lineage/").json()
    assert {(n["asset"], n["placement"]) for n in from_child["nodes"] if n["type"] == "placement"} == {(str(child.pk), "iab_medium_rectangle")}
    assert {e["relation"] for e in from_child["edges"]} == {"edited_from", "placement_of"}


def test_a_placement_files_credentials_name_the_asset_as_parent_as_its_lineage_edge_does(api, project, viewer):
    asset = photo_asset(project, 1200, 900)
    answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/meta_feed_4x5/")
    assert answer.status_code == 200
    summary = credentials_read(io.BytesIO(body(answer)), answer["Content-Type"])
    [parent] = [i for i in summary["ingredients"] if i["relationship"] == "parentOf"]
    lineage = api(viewer).get(f"/api/v1/assets/{asset.pk}/lineage/").json()
    [edge] = [e for e in lineage["edges"] if e["from"] == str(placement_node_id(asset.pk, "meta_feed_4x5"))]
    assert (parent["platform"]["asset"], parent["platform"]["relation"]) == (edge["to"], edge["relation"]) == (str(asset.pk), "placement_of")


def test_the_asset_page_lineage_panel_draws_each_placement_file_it_was_cut_into(client, project, viewer):
    asset = photo_asset(project, 1200, 900)
    client.force_login(viewer)
    assert "Placement files cut from it" not in client.get(f"/assets/{asset.pk}/").content.decode()
    made(asset, "iab_leaderboard", "meta_story")
    page = client.get(f"/assets/{asset.pk}/?part=lineage", HTTP_HX_REQUEST="true").content.decode()
    assert "Placement files cut from it" in page
    for key, size in (("iab_leaderboard", "728×90"), ("meta_story", "1080×1920")):
        assert f'id="lineage-placement-{key}"' in page and size in page
        assert f'src="/api/v1/assets/{asset.pk}/placements/{key}/"' in page


def test_a_file_the_rights_refuse_keeps_its_node_without_its_picture(client, project, viewer):
    from apps.rights.models import Right
    from apps.rights.services import effective_rights_refresh

    asset = photo_asset(project, 1200, 900)
    made(asset, "iab_leaderboard", "meta_story")
    # Licensed for Meta only, so the leaderboard may not go (and its file stays in the history).
    Right.objects.create(project=project, asset=asset, kind="licensed", holder="Stock Co", channels=["meta"],
                         ends_on=timezone.localdate() + timedelta(days=90))
    effective_rights_refresh([asset.pk])
    client.force_login(viewer)
    page = client.get(f"/assets/{asset.pk}/?part=lineage", HTTP_HX_REQUEST="true").content.decode()
    assert 'id="lineage-placement-iab_leaderboard"' in page and "not deliverable" in page
    assert f'src="/api/v1/assets/{asset.pk}/placements/iab_leaderboard/"' not in page
    assert f'src="/api/v1/assets/{asset.pk}/placements/meta_story/"' in page
