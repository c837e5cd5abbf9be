import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.assets.models import Relation
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


def test_gallery_pages_by_cursor_and_the_next_page_comes_by_htmx(client, project, viewer, settings):
    assets = [stored_asset(project) for _ in range(5)]
    client.force_login(viewer)
    url = reverse("gallery", args=[project.pk])
    settings.PAGE_SIZE = 2

    first = client.get(url)
    seen = [str(a.pk) for a in first.context["assets"]]
    next_url = first.context["next_url"]
    while next_url:
        more = client.get(url + next_url, HTTP_HX_REQUEST="true")
        assert "<h1>" not in more.content.decode()  # only the tiles
        seen += [str(a.pk) for a in more.context["assets"]]
        next_url = more.context["next_url"]
    assert seen == [str(a.pk) for a in reversed(assets)]


def test_gallery_filters_by_review_status_and_costs_the_same_queries_at_any_size(client, project, viewer):
    approved = stored_asset(project)
    approved.review_status = "approved"
    approved.save()
    stored_asset(project)
    client.force_login(viewer)
    url = reverse("gallery", args=[project.pk])
    page = client.get(url, {"review_status": "approved"})
    assert [a.pk for a in page.context["assets"]] == [approved.pk]
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(10):
        stored_asset(project)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)


def test_a_bad_filter_value_is_named(client, project, viewer):
    client.force_login(viewer)
    page = client.get(reverse("gallery", args=[project.pk]), {"created_from": "yesterday"}).content.decode()
    assert "Enter a valid date" in page


def test_asset_page_draws_ancestors_and_descendants_as_links(client, project, editor):
    grandparent = stored_asset(project)
    parent = stored_asset(project, parents=[(grandparent, Relation.EDITED_FROM)])
    child = stored_asset(project, parents=[(parent, Relation.UPSCALED_FROM)])
    client.force_login(editor)
    response = client.get(reverse("asset-page", args=[parent.pk]))
    levels = {level.depth: [node.pk for node, _ in level.nodes] for level in response.context["levels"]}
    assert levels == {-1: [grandparent.pk], 0: [parent.pk], 1: [child.pk]}
    page = response.content.decode()
    assert reverse("asset-page", args=[grandparent.pk]) in page and reverse("asset-page", args=[child.pk]) in page
    assert "Translate the text in the image" in page


def test_asset_page_hides_actions_a_viewer_lacks(client, project, viewer):
    asset = stored_asset(project)
    client.force_login(viewer)
    page = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
    assert "Make more from it" not in page and 'name="decision"' not in page


def test_asset_page_of_another_project_is_404(client, outsider, project):
    asset = stored_asset(project)
    client.force_login(outsider)
    assert client.get(reverse("asset-page", args=[asset.pk])).status_code == 404


def test_lineage_rows_say_how_many_steps_back_and_on_in_words(client, project, viewer):
    """Issue 28 item 16: "Made from (3 steps back)", not "(-3)"."""
    from tests.factories import stored_asset

    chain = [stored_asset(project, width=64, height=48)]
    for _ in range(4):
        chain.append(stored_asset(project, width=64, height=48, parents=[(chain[-1], "edited_from")]))
    client.force_login(viewer)
    html = client.get(reverse("asset-page", args=[chain[3].pk])).content.decode()
    assert "<b>Made from (3 steps back)</b>" in html and "<b>Made from (2 steps back)</b>" in html and "<b>Made from</b>" in html
    assert "<b>Made from it</b>" in html and "(-" not in html and "(+" not in html
    html = client.get(reverse("asset-page", args=[chain[0].pk])).content.decode()
    assert "<b>Made from it (4 steps on)</b>" in html
