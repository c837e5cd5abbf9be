"""Tenant walls: outsiders get 404 everywhere (bytes included), each role exactly its rights."""

import pytest

from apps.generations.models import Generation
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(project, editor):
    asset = stored_asset(project, user=editor)
    generation = Generation.objects.create(project=project, prompt="x", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K", created_by=editor)
    return {"asset": asset, "generation": generation}


def urls(project, made):
    asset, generation = made["asset"].id, made["generation"].id
    return [
        f"/api/v1/projects/{project.id}/",
        f"/api/v1/projects/{project.id}/members/",
        f"/api/v1/projects/{project.id}/generations/",
        f"/api/v1/projects/{project.id}/assets/",
        f"/api/v1/generations/{generation}/",
        f"/api/v1/assets/{asset}/",
        f"/api/v1/assets/{asset}/file/",
        f"/api/v1/assets/{asset}/thumbnail/",
        f"/api/v1/assets/{asset}/lineage/",
        f"/api/v1/assets/{asset}/reviews/",
    ]


def test_outsider_gets_404_on_every_url(api, project, made, outsider):
    client = api(outsider)
    for url in urls(project, made):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x"}, format="json").status_code == 404
    assert client.post(f"/api/v1/assets/{made['asset'].id}/reviews/", {"decision": "approve"}, format="json").status_code == 404
    assert client.get("/api/v1/projects/").json() == []


def test_anonymous_gets_401(api, project, made):
    for url in urls(project, made):
        assert api().get(url).status_code == 401, url


def test_every_member_can_read(api, project, made, viewer, reviewer, editor, owner):
    for user in (viewer, reviewer, editor, owner):
        client = api(user)
        for url in urls(project, made):
            assert client.get(url).status_code == 200, (user.username, url)


@pytest.mark.parametrize(("role", "expected"), [("viewer", 403), ("reviewer", 403), ("editor", 201), ("owner", 201)])
def test_who_may_generate(api, project, role, expected, upstream):
    from tests.factories import member

    response = api(member(project, role)).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x"}, format="json")
    assert response.status_code == expected
    if expected == 403:
        assert "may not create generations" in response.json()["error"]["message"]


@pytest.mark.parametrize(("role", "expected"), [("viewer", 403), ("editor", 403), ("reviewer", 201), ("owner", 201)])
def test_who_may_review(api, project, made, role, expected):
    from tests.factories import member

    response = api(member(project, role)).post(f"/api/v1/assets/{made['asset'].id}/reviews/", {"decision": "approve"}, format="json")
    assert response.status_code == expected


@pytest.mark.parametrize(("role", "expected"), [("viewer", 403), ("reviewer", 403), ("editor", 403), ("owner", 200)])
def test_who_may_change_the_project(api, project, role, expected):
    from tests.factories import member

    response = api(member(project, role)).patch(f"/api/v1/projects/{project.id}/", {"name": "Renamed"}, format="json")
    assert response.status_code == expected


def test_ids_from_another_project_are_unknown_here(api, project, editor, upstream):
    from tests.factories import ProjectFactory

    elsewhere = stored_asset(ProjectFactory())
    response = api(editor).post(
        f"/api/v1/projects/{project.id}/generations/",
        {"kind": "edit", "prompt": "x", "source_assets": [str(elsewhere.id)]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "source_assets"
