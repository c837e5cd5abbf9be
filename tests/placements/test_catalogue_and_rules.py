"""The catalogue's placements, a project's own, safe zones and byte limits: each refusal names the
field, the limit and the value."""

import pytest

from apps.assets.models import Rendition
from apps.placements import catalogue
from apps.placements.models import ProjectPlacement
from tests.factories import asset_check
from tests.placements.helpers import photo_asset

pytestmark = pytest.mark.django_db

REQUIRED = {
    "meta_feed_1x1": (1080, 1080), "meta_feed_4x5": (1080, 1350), "meta_story": (1080, 1920),
    "google_demand_gen_1x1": (1200, 1200), "google_demand_gen_191x1": (1200, 628), "google_demand_gen_4x5": (960, 1200),
    "google_demand_gen_9x16": (1080, 1920), "iab_medium_rectangle": (300, 250), "iab_leaderboard": (728, 90),
    "iab_wide_skyscraper": (160, 600), "iab_billboard": (970, 250), "iab_mobile_banner": (320, 50),
    "pinterest_standard": (1000, 1500), "youtube_thumbnail": (1280, 720), "linkedin_single_image": (1200, 627),
    "x_image_16x9": (1600, 900), "print_a4_300dpi": (2480, 3508),
}


def test_the_catalogue_has_every_placement_the_channels_ask_for_each_with_its_nearest_ratio():
    placements = {p.key: p for p in catalogue.catalogue_placements()}
    assert {key: (p.width, p.height) for key, p in placements.items()} == REQUIRED
    for placement in placements.values():
        assert placement.ratio == catalogue.nearest_ratio(placement.width, placement.height), placement.key
    assert placements["google_demand_gen_9x16"].max_bytes == 5 * 1024 * 1024
    assert placements["youtube_thumbnail"].max_bytes == 2 * 1024 * 1024
    assert [z.name.split(" (")[0] for z in placements["meta_story"].safe_zones] == ["top 14%", "bottom 20%"]


def test_rest_lists_the_catalogue_and_with_a_project_its_own_too(api, project, owner, viewer, outsider):
    created = api(owner).post(f"/api/v1/projects/{project.pk}/placements/", {
        "key": "shop_banner", "channel": "shop", "label": "Shop hero", "width": 1920, "height": 600, "max_bytes": 400_000,
        "formats": ["webp", "JPEG"], "safe_zones": [{"name": "left text column", "x": 0, "y": 0, "w": 0.3, "h": 1}],
    }, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["ratio"] == "4:1" and created.json()["formats"] == ["WEBP", "JPEG"] and created.json()["custom"]
    plain = [p["key"] for p in api(viewer).get("/api/v1/placements/").json()]
    assert "iab_leaderboard" in plain and "shop_banner" not in plain
    mine = [p["key"] for p in api(viewer).get(f"/api/v1/placements/?project={project.pk}").json()]
    assert mine[-1] == "shop_banner" and len(mine) == len(REQUIRED) + 1
    assert api(outsider).get(f"/api/v1/placements/?project={project.pk}").status_code == 404


@pytest.mark.parametrize(("body", "field", "code", "words"), [
    ({"width": 2000, "height": 100}, "width", "ratio_not_generatable", ["2000×100", "8:1", "40%"]),
    ({"width": 9000}, "width", "out_of_range", ["9000", "8192"]),
    ({"max_bytes": 10}, "max_bytes", "out_of_range", ["10", "1024"]),
    ({"formats": ["TIFF"]}, "formats", "invalid", ["TIFF"]),
    ({"key": "meta_story"}, "key", "key_taken", ["catalogue"]),
    ({"key": "Bad Key!"}, "key", "invalid", ["Bad Key!"]),
    ({"safe_zones": [{"band": "middle", "size": 0.1}]}, "safe_zones", "invalid", ["middle"]),
])
def test_a_custom_placement_that_breaks_a_rule_is_refused_with_the_figures(api, project, owner, body, field, code, words):
    answer = api(owner).post(f"/api/v1/projects/{project.pk}/placements/", {
        "key": "promo", "width": 1200, "height": 1200, "max_bytes": 500_000, **body}, format="json")
    assert answer.status_code in (400, 409), answer.json()
    error = answer.json()["error"]
    assert error["code"] == code and error["field"] == field, error
    assert all(word in error["message"] for word in words), error["message"]
    assert not ProjectPlacement.objects.exists()


def test_only_owners_add_placements(api, project, editor):
    answer = api(editor).post(f"/api/v1/projects/{project.pk}/placements/", {"key": "promo", "width": 100, "height": 100, "max_bytes": 5000}, format="json")
    assert answer.status_code == 403 and not ProjectPlacement.objects.exists()


def test_an_impossible_byte_limit_is_refused_with_the_figures_and_nothing_is_stored(api, project, owner, viewer):
    api(owner).post(f"/api/v1/projects/{project.pk}/placements/", {
        "key": "tiny_poster", "width": 2400, "height": 2400, "max_bytes": 2048, "formats": ["JPEG"]}, format="json")
    asset = photo_asset(project, 2400, 2400)
    answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/tiny_poster/")
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "byte_limit_unreachable" and error["details"]["limit"] == 2048 and error["details"]["smallest"] > 2048
    assert "2,048 bytes" in error["message"] and "quality 30" in error["message"] and "4:2:0" in error["message"]
    assert not Rendition.objects.filter(asset=asset, spec__startswith="pl:").exists()


def test_a_tight_limit_is_met_by_lowering_quality_then_chroma(api, project, owner, viewer):
    api(owner).post(f"/api/v1/projects/{project.pk}/placements/", {
        "key": "tight_square", "width": 1000, "height": 1000, "max_bytes": 60_000, "formats": ["JPEG"]}, format="json")
    asset = photo_asset(project, 2000, 2000, seed=3)
    answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/tight_square/")
    data = b"".join(answer.streaming_content)
    assert answer.status_code == 200 and len(data) <= 60_000
    listed = {p["key"]: p for p in api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/").json()}
    assert listed["tight_square"]["rendered"] and listed["tight_square"]["quality"] < 92 and listed["tight_square"]["size_bytes"] == len(data)


def test_an_unknown_placement_is_404_naming_where_to_look(api, project, viewer):
    asset = photo_asset(project, 64, 64)
    answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/nope/")
    assert answer.status_code == 404 and "/api/v1/placements/" in answer.json()["error"]["message"]


def copy_box(asset, top_share: float) -> None:
    """The brand checks' reading: a line of copy across the middle, its top at `top_share` of the height."""
    y = int(asset.height * top_share)
    box = [int(asset.width * 0.2), y, int(asset.width * 0.6), int(asset.height * 0.05)]
    asset_check(asset, results=[{"check": "copy", "outcome": "pass", "message": "", "figures": {}, "boxes": [box]}])


def stories(api, user, asset) -> dict:
    return {p["key"]: p for p in api(user).get(f"/api/v1/assets/{asset.pk}/placements/").json()}["meta_story"]["safe_zones_result"]


def test_copy_in_the_bottom_tenth_of_a_9x16_asset_gets_the_stories_warning_and_moved_up_it_passes(api, project, viewer):
    low = photo_asset(project, 768, 1376)
    copy_box(low, 0.91)
    result = stories(api, viewer, low)
    assert result["status"] == "warn"
    assert any("bottom 20%" in problem and "Text" in problem for problem in result["problems"]), result

    moved = photo_asset(project, 768, 1376, seed=9)  # the copy moved up (a new asset)
    copy_box(moved, 0.45)
    assert stories(api, viewer, moved) == {"status": "pass", "problems": []}


def test_an_unread_asset_says_its_safe_zones_are_not_checked_yet(api, project, viewer):
    asset = photo_asset(project, 768, 1376)
    result = stories(api, viewer, asset)
    assert result is None or result["status"] == "unchecked"
