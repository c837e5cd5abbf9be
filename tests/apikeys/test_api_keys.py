"""Project API keys act with their role in their project only; personal tokens end with the password."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from apps.apikeys.models import ApiKey
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


def create_key(api, owner, project, **body):
    response = api(owner).post(f"/api/v1/projects/{project.id}/api-keys/", {"name": "CMS", "role": "editor", **body})
    assert response.status_code == 201, response.json()
    return response.json()


def with_key(raw_key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw_key}")
    return client


def test_a_key_is_shown_once_stored_hashed_and_acts_with_its_role(api, project, owner):
    created = create_key(api, owner, project)
    assert created["key"].startswith("bip_") and created["prefix"] == created["key"][:12]
    stored = ApiKey.objects.get(pk=created["id"])
    assert created["key"] not in (stored.key_hash, stored.prefix) and stored.last_used_at is None

    listed = api(owner).get(f"/api/v1/projects/{project.id}/api-keys/").json()
    assert [k["name"] for k in listed] == ["CMS"] and "key" not in listed[0]

    client = with_key(created["key"])
    made = client.post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mia"})
    assert made.status_code == 201
    assert client.get(f"/api/v1/projects/{project.id}/members/").status_code == 200
    assert client.post(f"/api/v1/projects/{project.id}/members/", {"username": "x", "role": "owner"}).status_code == 403
    assert client.post(f"/api/v1/projects/{project.id}/api-keys/", {"name": "mine", "role": "editor"}).status_code == 403
    assert ApiKey.objects.get(pk=created["id"]).last_used_at is not None


def test_a_viewer_key_reads_but_may_not_write(api, project, owner):
    client = with_key(create_key(api, owner, project, role="viewer")["key"])
    assert client.get(f"/api/v1/projects/{project.id}/characters/").status_code == 200
    refused = client.post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mia"})
    assert refused.status_code == 403 and "viewer" in refused.json()["error"]["message"]


def test_a_key_sees_nothing_of_another_project(api, project, owner):
    elsewhere = ProjectFactory()
    member(elsewhere, "owner", username="other-owner")
    client = with_key(create_key(api, owner, project)["key"])
    assert client.get(f"/api/v1/projects/{elsewhere.id}/").status_code == 404
    assert client.post(f"/api/v1/projects/{elsewhere.id}/characters/", {"name": "Mia"}).status_code == 404
    assert [p["id"] for p in client.get("/api/v1/projects/").json()] == [str(project.id)]


def test_an_expired_key_is_refused(api, project, owner):
    created = create_key(api, owner, project, expires_at=(timezone.now() + timedelta(hours=1)).isoformat())
    ApiKey.objects.filter(pk=created["id"]).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_key(created["key"]).get(f"/api/v1/projects/{project.id}/")
    assert response.status_code == 401 and "expired" in response.json()["error"]["message"]
    past = api(owner).post(f"/api/v1/projects/{project.id}/api-keys/", {"name": "x", "role": "editor", "expires_at": "2020-01-01T00:00:00Z"})
    assert past.status_code == 400 and past.json()["error"]["field"] == "expires_at"


def test_a_revoked_key_is_refused_at_once(api, project, owner):
    created = create_key(api, owner, project)
    client = with_key(created["key"])
    assert client.get(f"/api/v1/projects/{project.id}/").status_code == 200
    assert api(owner).delete(f"/api/v1/api-keys/{created['id']}/").status_code == 204
    response = client.get(f"/api/v1/projects/{project.id}/")
    assert response.status_code == 401 and "revoked" in response.json()["error"]["message"]
    assert api(owner).get(f"/api/v1/projects/{project.id}/api-keys/").json()[0]["revoked_at"] is not None


def test_unknown_key_and_non_owners_are_refused(api, project, owner, editor):
    assert with_key("bip_nope").get("/api/v1/projects/").status_code == 401
    assert api(editor).post(f"/api/v1/projects/{project.id}/api-keys/", {"name": "x", "role": "editor"}).status_code == 403
    assert api(owner).post(f"/api/v1/projects/{project.id}/api-keys/", {"name": "x", "role": "owner"}).json()["error"]["field"] == "role"
    key = create_key(api, owner, project)
    assert api(editor).delete(f"/api/v1/api-keys/{key['id']}/").status_code == 403



def test_a_personal_token_ends_when_the_password_changes(project, owner):
    response = APIClient().post(
        "/api/v1/auth/token/", f"username={owner.username}&password=pw-for-tests", content_type="application/x-www-form-urlencoded",
    )
    token = response.json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/projects/").status_code == 200

    owner.set_password("a-new-password-42")
    owner.save()
    refused = client.get("/api/v1/projects/")
    assert refused.status_code == 401 and "password changed" in refused.json()["error"]["message"]
    again = APIClient().post(
        "/api/v1/auth/token/", f"username={owner.username}&password=a-new-password-42", content_type="application/x-www-form-urlencoded",
    )
    assert again.status_code == 200 and again.json()["token"] != token


def test_the_token_endpoint_takes_a_form_and_names_bad_credentials(project, owner):
    wrong = APIClient().post("/api/v1/auth/token/", f"username={owner.username}&password=nope", content_type="application/x-www-form-urlencoded")
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "invalid_credentials"
    as_json = APIClient().post("/api/v1/auth/token/", {"username": owner.username, "password": "pw-for-tests"}, format="json")
    assert as_json.status_code == 415


def test_a_key_principal_is_not_a_member_anyone_can_add_change_or_list(api, project, owner):
    created = create_key(api, owner, project)
    principal = ApiKey.objects.get(pk=created["id"]).principal
    elsewhere = ProjectFactory()
    other_owner = member(elsewhere, "owner", username="other-owner")
    added = api(other_owner).post(f"/api/v1/projects/{elsewhere.id}/members/", {"username": principal.username, "role": "editor"})
    assert added.status_code == 400 and added.json()["error"]["field"] == "username"
    assert principal.username not in [m["username"] for m in api(owner).get(f"/api/v1/projects/{project.id}/members/").json()]
    promoted = api(owner).patch(f"/api/v1/projects/{project.id}/members/{principal.id}/", {"role": "owner"})
    assert promoted.status_code == 404
