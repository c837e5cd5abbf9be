"""Placement files: exact pixels, under the byte limit, decodable, signed with the asset as parent,
and cropped around the focal point."""

import io

import pytest
from django.core.files.storage import default_storage
from PIL import Image

from apps.assets.credentials_reading import credentials_read
from apps.assets.models import Rendition
from apps.placements import catalogue, selectors, services
from apps.placements.models import PlacementRendition
from tests.placements.helpers import magenta_pixels, photo_asset

pytestmark = pytest.mark.django_db

IAB = [p for p in catalogue.catalogue_placements() if p.channel == "iab"]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_every_iab_placement_from_a_4k_photo_is_exact_under_its_limit_decodes_and_names_the_asset_as_parent(api, project, viewer):
    asset = photo_asset(project, 4096, 4096)
    assert len(IAB) == 5
    for placement in IAB:
        answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/{placement.key}/")
        assert answer.status_code == 200, (placement.key, answer.content[:300])
        data = body(answer)
        assert len(data) <= placement.max_bytes, (placement.key, len(data))
        with Image.open(io.BytesIO(data)) as image:
            image.load()  # decodes, whole
            assert image.size == (placement.width, placement.height) and image.format in placement.formats
            assert image.info.get("icc_profile"), "sRGB profile embedded"
        summary = credentials_read(io.BytesIO(data), answer["Content-Type"])
        assert summary["validation"]["verdict"] != "invalid", summary["validation"]
        [parent] = [i for i in summary["ingredients"] if i["relationship"] == "parentOf"]
        assert parent["title"] == f"{asset.pk}.jpg" and parent["manifest"] is not None  # the asset's own signed history nests
        actions = [a["action"] for a in summary["actions"]]
        assert actions[0] == "c2pa.opened" and "c2pa.resized" in actions and "c2pa.cropped" in actions
    assert PlacementRendition.objects.filter(asset=asset).count() == 5


def test_a_second_request_serves_the_same_file_without_rendering_again(api, project, viewer):
    asset = photo_asset(project, 800, 600)
    first = body(api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/iab_leaderboard/"))
    again = body(api(viewer).get(f"/api/v1/assets/{asset.pk}/placements/iab_leaderboard/"))
    assert first == again and Rendition.objects.filter(asset=asset, spec__startswith="pl:").count() == 1


@pytest.mark.parametrize("dot", [(0.85, 0.15), (0.1, 0.9), (0.5, 0.5)])
def test_a_marked_dot_at_the_focal_point_stays_inside_every_crop(api, project, editor, dot):
    asset = photo_asset(project, 2048, 2048, dot=dot, dot_radius=40)
    answer = api(editor).patch(f"/api/v1/assets/{asset.pk}/", {"focal_point": {"x": dot[0], "y": dot[1]}}, format="json")
    assert answer.status_code == 200 and answer.json()["focal_point"] == {"x": dot[0], "y": dot[1]}
    asset.refresh_from_db()
    for placement in catalogue.catalogue_placements():
        row = services.placement_file(asset, placement)
        with default_storage.open(row.rendition.file.name, "rb") as f:
            assert magenta_pixels(f.read()) > 0, (placement.key, row.crop)
        assert row.focal_point["source"] == "person"


def test_a_new_focal_point_makes_a_new_file_and_the_old_one_goes(api, project, editor):
    asset = photo_asset(project, 1600, 900)
    placement = catalogue.catalogue_placement("meta_story")
    old = services.placement_file(asset, placement)
    api(editor).patch(f"/api/v1/assets/{asset.pk}/", {"focal_point": {"x": 0.05, "y": 0.5}}, format="json")
    asset.refresh_from_db()
    new = services.placement_file(asset, placement)
    assert new.pk != old.pk and new.crop["left"] == 0 and old.crop["left"] > 0
    assert not Rendition.objects.filter(pk=old.rendition_id).exists()
    assert list(selectors.rendered_placements(asset)) == ["meta_story"]


def test_without_a_person_s_point_the_checks_logo_box_decides_the_crop(project):
    from tests.factories import asset_check

    asset = photo_asset(project, 2000, 1000)
    asset_check(asset, results=[{"check": "logo", "outcome": "pass", "message": "", "figures": {}, "boxes": [[1800, 400, 100, 100]]}])
    row = services.placement_file(asset, catalogue.catalogue_placement("meta_feed_1x1"))
    assert row.focal_point == {"x": 0.925, "y": 0.45, "source": "logo"}
    assert row.crop["left"] == 1000  # as far right as the image allows: the logo is in frame


def test_with_neither_the_attention_crop_decides(project):
    asset = photo_asset(project, 2000, 1000, dot=(0.9, 0.5), dot_radius=60)
    row = services.placement_file(asset, catalogue.catalogue_placement("meta_feed_1x1"))
    assert row.focal_point["source"] == "attention"


@pytest.mark.parametrize(("field", "value", "status"), [("x", 1.5, 400), ("y", -0.1, 400), ("x", "left", 400)])
def test_a_focal_point_outside_the_image_is_refused_naming_the_field(api, project, editor, field, value, status):
    asset = photo_asset(project, 64, 64)
    point = {"x": 0.5, "y": 0.5, field: value}
    answer = api(editor).patch(f"/api/v1/assets/{asset.pk}/", {"focal_point": point}, format="json")
    assert answer.status_code == status
    assert answer.json()["error"]["field"] == f"focal_point.{field}" and "from 0" in answer.json()["error"]["message"]
    asset.refresh_from_db()
    assert asset.focal_point is None


def test_viewers_may_not_set_the_focal_point(api, project, viewer):
    asset = photo_asset(project, 64, 64)
    answer = api(viewer).patch(f"/api/v1/assets/{asset.pk}/", {"focal_point": {"x": 0.2, "y": 0.2}}, format="json")
    assert answer.status_code == 403
    asset.refresh_from_db()
    assert asset.focal_point is None


def test_upscaling_past_twice_says_so(project):
    asset = photo_asset(project, 400, 300)
    row = services.placement_file(asset, catalogue.catalogue_placement("print_a4_300dpi"))
    assert row.warnings and "Upscaled" in row.warnings[0] and "more than 2×" in row.warnings[0]
    with default_storage.open(row.rendition.file.name, "rb") as f:
        with Image.open(f) as image:
            assert image.size == (2480, 3508) and round(image.info["dpi"][0]) == 300
