"""The gallery and the review queue count their matches only up to a cap ("more than 1,000"), so a
page of a project with a million assets never counts a million rows."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core import counts
from bench.read_path import seed
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def project_of_eight(monkeypatch):
    monkeypatch.setattr(counts, "COUNT_CAP", 5)
    project = ProjectFactory()
    owner = member(project, "owner")
    seed(project, member(project, "editor"), 8)
    return project, owner


def _count_queries(captured) -> list[str]:
    return [q["sql"] for q in captured if "COUNT(" in q["sql"] and "assets_asset" in q["sql"]]


def test_gallery_says_more_than_the_cap_and_counts_no_further(client, project_of_eight):
    project, owner = project_of_eight
    client.force_login(owner)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/projects/{project.pk}/gallery/")
    assert page.status_code == 200
    assert "More than 5 assets · showing 8" in page.content.decode()
    assert _count_queries(captured) and all("LIMIT 6" in sql for sql in _count_queries(captured))


def test_gallery_under_the_cap_shows_the_exact_count(client, project_of_eight):
    project, owner = project_of_eight
    client.force_login(owner)
    page = client.get(f"/projects/{project.pk}/gallery/?search=take+3")  # "..., take 3" (bench.read_path.prompt_of)
    assert page.status_code == 200
    assert "1 asset matches these filters" in page.content.decode()


def test_review_queue_says_more_than_the_cap(client, project_of_eight):
    project, owner = project_of_eight
    client.force_login(owner)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(f"/projects/{project.pk}/review/")
    assert page.status_code == 200 and page.context["waiting_over"] == "5"
    assert "More than 5 waiting" in page.content.decode()
    assert all("LIMIT 6" in sql for sql in _count_queries(captured))


def test_gallery_tag_choices_are_the_projects_own_tags_only(client):
    from apps.assets.models import AssetTag
    from apps.assets.services import asset_tags_add
    from tests.factories import stored_asset

    ours, theirs = ProjectFactory(), ProjectFactory()
    owner = member(ours, "owner")
    mine, other = stored_asset(ours), stored_asset(theirs)
    asset_tags_add(assets=[mine], names=["summer", "hero"])
    AssetTag.objects.create(asset=mine, name="autumn")  # saved one by one: takes its asset's project too
    asset_tags_add(assets=[other], names=["secret-launch"])
    client.force_login(owner)
    page = client.get(f"/projects/{ours.pk}/gallery/")
    assert page.status_code == 200
    assert [value for value, _ in page.context["filters"].fields["tag"].choices] == ["", "autumn", "hero", "summer"]
    assert "secret-launch" not in page.content.decode()
