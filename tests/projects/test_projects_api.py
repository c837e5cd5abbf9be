import pytest

from apps.projects.models import Membership

pytestmark = pytest.mark.django_db


def test_token_auth_then_create_project_makes_caller_owner(api, client):
    from tests.factories import UserFactory

    UserFactory(username="ana")
    token = client.post(
        "/api/v1/auth/token/", "username=ana&password=pw-for-tests", content_type="application/x-www-form-urlencoded",
    ).json()["token"]
    from rest_framework.test import APIClient

    rest = APIClient()
    rest.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    response = rest.post("/api/v1/projects/", {"name": "Acme", "brief": "Bold, blue, no people."}, format="json")
    assert response.status_code == 201 and response.json()["role"] == "owner"
    assert [p["name"] for p in rest.get("/api/v1/projects/").json()] == ["Acme"]


def test_owner_manages_members(api, project, owner):
    from tests.factories import UserFactory

    bob = UserFactory(username="bob")
    client = api(owner)
    url = f"/api/v1/projects/{project.id}/members/"
    assert client.post(url, {"username": "bob", "role": "viewer"}, format="json").status_code == 201
    assert client.post(url, {"username": "bob", "role": "viewer"}, format="json").status_code == 409
    assert client.post(url, {"username": "nobody", "role": "viewer"}, format="json").json()["error"]["field"] == "username"
    assert client.post(url, {"username": "bob", "role": "admin"}, format="json").json()["error"]["field"] == "role"
    assert client.patch(f"{url}{bob.id}/", {"role": "reviewer"}, format="json").json()["role"] == "reviewer"
    assert client.delete(f"{url}{bob.id}/").status_code == 204
    assert not Membership.objects.filter(user=bob).exists()


def test_last_owner_cannot_leave(api, project, owner):
    response = api(owner).delete(f"/api/v1/projects/{project.id}/members/{owner.id}/")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "last_owner"


def test_unknown_fields_are_refused(api, owner):
    response = api(owner).post("/api/v1/projects/", {"name": "A", "colour": "red"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "colour"


def test_json_endpoints_take_json_only_as_the_schema_says(api, outsider):
    response = api(outsider).post("/api/v1/projects/", {"name": "Form", "monthly_budget_usd": ""}, format="multipart")
    assert response.status_code == 415 and response.json()["error"]["code"] == "unsupported_media_type"
    response = api(outsider).post("/api/v1/projects/", {"name": "Json", "monthly_budget_usd": None}, format="json")
    assert response.status_code == 201 and response.json()["monthly_budget_usd"] is None


def test_only_an_empty_project_can_be_deleted(api, project, owner):
    from apps.projects.models import Project
    from tests.factories import stored_asset

    asset = stored_asset(project, user=owner)
    response = api(owner).delete(f"/api/v1/projects/{project.id}/")
    assert response.status_code == 409 and response.json()["error"]["code"] == "project_not_empty"
    assert Project.objects.filter(pk=project.pk).exists() and api(owner).get(f"/api/v1/assets/{asset.id}/file/").status_code == 200

    empty = api(owner).post("/api/v1/projects/", {"name": "Empty"}, format="json").json()
    assert api(owner).delete(f"/api/v1/projects/{empty['id']}/").status_code == 204
