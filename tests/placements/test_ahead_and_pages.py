"""Placements are made ahead once an asset is approved; the asset page's panel shows each with its
size, bytes, safe zones and download, and a click sets the focal point."""

import pytest
from django.urls import reverse

from apps.placements import catalogue
from apps.placements.models import PlacementRendition
from tests.factories import asset_check, member
from tests.placements.helpers import photo_asset


def test_approving_an_asset_renders_every_placement_ahead_on_the_renditions_queue(api, project, run_tasks_inline, settings):
    settings.PLACEMENTS_RENDER_AHEAD = True
    maker, reviewer = member(project, "editor"), member(project, "reviewer")
    asset = photo_asset(project, 1024, 1024, user=maker)
    assert not PlacementRendition.objects.filter(asset=asset).exists()
    answer = api(reviewer).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "approve"}, format="json")
    assert answer.status_code == 201, answer.json()
    made = set(PlacementRendition.objects.filter(asset=asset).values_list("placement_key", flat=True))
    assert made == {p.key for p in catalogue.catalogue_placements()}
    # The files are the ones the approval's history signs: a download is served, not made again.
    before = PlacementRendition.objects.count()
    assert api(reviewer).get(f"/api/v1/assets/{asset.pk}/placements/meta_story/").status_code == 200
    assert PlacementRendition.objects.count() == before


@pytest.mark.django_db
def test_the_panel_lists_each_placement_with_size_bytes_safe_zones_and_download(client, project, viewer):
    asset = photo_asset(project, 768, 1376)
    asset_check(asset, results=[{"check": "copy", "outcome": "pass", "message": "", "figures": {}, "boxes": [[150, 1260, 450, 60]]}])
    client.force_login(viewer)
    page = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
    assert reverse("asset-placements-panel", args=[asset.pk]) in page
    panel = client.get(reverse("asset-placements-panel", args=[asset.pk]))
    html = panel.content.decode()
    assert panel.status_code == 200
    assert "IAB leaderboard 728×90" in html and "728×90 px" in html and reverse("asset-placement-file", args=[asset.pk, "iab_leaderboard"]) in html
    assert "Safe zone warning" in html and "crosses the bottom 20%" in html
    assert "Set focal point" not in html  # viewers see, editors set


@pytest.mark.django_db
def test_an_editor_sets_the_focal_point_from_the_page_and_a_bad_one_is_named(client, project, editor):
    asset = photo_asset(project, 640, 480)
    client.force_login(editor)
    assert "Set focal point by clicking the image" in client.get(reverse("asset-placements-panel", args=[asset.pk])).content.decode()
    answer = client.post(reverse("asset-focal-point", args=[asset.pk]), {"x": "0.25", "y": "0.75"}, HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and "Focal point set" in answer.content.decode()
    asset.refresh_from_db()
    assert asset.focal_point == {"x": 0.25, "y": 0.75}
    bad = client.post(reverse("asset-focal-point", args=[asset.pk]), {"x": "2", "y": "0.5"}, HTTP_HX_REQUEST="true")
    assert bad.status_code == 400 and "focal_point.x is 2.0" in bad.content.decode()
    cleared = client.post(reverse("asset-focal-point", args=[asset.pk]), {"clear": "1"})
    assert cleared.status_code == 302
    asset.refresh_from_db()
    assert asset.focal_point is None
