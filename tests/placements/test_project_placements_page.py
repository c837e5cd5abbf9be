"""The owners' Placements page: a project's own placement added from a form, under the same rules
as REST (catalogue.placement_from), each refusal shown next to what it names."""

import html

import pytest

from apps.placements.models import ProjectPlacement

pytestmark = pytest.mark.django_db

GOOD = {"key": "shop_banner", "label": "Shop banner", "channel": "shop", "width": "1200", "height": "600",
        "max_bytes": "200000", "formats": ["JPEG", "WEBP"], "top": "10", "bottom": ""}


def test_an_owner_adds_a_placement_from_the_page_and_every_asset_gets_it(client, project, owner):
    client.force_login(owner)
    page = client.get(f"/projects/{project.pk}/placements/")
    assert page.status_code == 200 and "None yet." in page.content.decode()
    answer = client.post(f"/projects/{project.pk}/placements/", GOOD)
    assert answer.status_code == 302, answer.content.decode()[:2000]
    row = ProjectPlacement.objects.get(project=project)
    assert (row.key, row.width, row.height, row.ratio, row.formats) == ("shop_banner", 1200, 600, "16:9", ["JPEG", "WEBP"])
    assert row.safe_zones == [{"name": "top 10%", "x": 0.0, "y": 0.0, "w": 1.0, "h": 0.1}]
    listed = client.get(f"/projects/{project.pk}/placements/").content.decode()
    assert "Shop banner" in listed and "1200×600 px" in listed and "Keep clear: top 10%" in listed
    # The same rules as REST: it is in the API's list of the project's placements.
    assert [p["key"] for p in client.get(f"/api/v1/projects/{project.pk}/placements/").json()] == ["shop_banner"]


@pytest.mark.parametrize("change, words", [
    ({"width": "2000", "height": "50"}, "too far from any ratio a model can generate"),
    ({"key": "iab_leaderboard"}, "is the catalogue's"),
    ({"max_bytes": "10"}, "must be between 1024 and"),
    ({"key": "Shop Banner"}, "lower-case letters"),
    ({"top": "80"}, "safe_zones is 0.8; it must be between 0.01 and 0.5"),
])
def test_a_placement_that_breaks_a_rule_is_refused_on_the_page_with_its_figures(client, project, owner, change, words):
    client.force_login(owner)
    answer = client.post(f"/projects/{project.pk}/placements/", {**GOOD, **change})
    assert answer.status_code == 400
    assert words in html.unescape(answer.content.decode())
    assert not ProjectPlacement.objects.exists()


def test_only_owners_see_the_page(client, project, editor):
    client.force_login(editor)
    assert client.get(f"/projects/{project.pk}/placements/").status_code == 403
    assert client.post(f"/projects/{project.pk}/placements/", GOOD).status_code == 403
    assert not ProjectPlacement.objects.exists()
