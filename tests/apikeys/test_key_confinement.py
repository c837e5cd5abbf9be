"""Issue 29 item 1: a project API key acts in its one project with its one role, for everything.
It makes no projects, keys or memberships of its own, so revoking it leaves no access behind."""

import pytest

from apps.apikeys import services
from apps.apikeys.models import ApiKey
from apps.projects.models import Membership, Project, Role
from tests.apikeys.test_api_keys import create_key, with_key
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["viewer", "reviewer", "editor"])
def test_a_key_of_any_role_cannot_create_a_project(api, project, owner, role):
    client = with_key(create_key(api, owner, project, role=role)["key"])
    refused = client.post("/api/v1/projects/", {"name": "Mine now"}, format="json")
    assert refused.status_code == 403
    error = refused.json()["error"]
    assert error["code"] == "permission_denied" and "API key may not create projects" in error["message"]
    assert list(Project.objects.values_list("name", flat=True)) == [project.name]


def test_a_key_cannot_accept_an_invitation(api, project, owner):
    client = with_key(create_key(api, owner, project, role="viewer")["key"])
    refused = client.post("/api/v1/invitations/accept/", {"token": "anything"}, format="json")
    assert refused.status_code == 403 and "accept invitations" in refused.json()["error"]["message"]


def test_a_key_cannot_mint_keys_even_where_it_would_be_owner(api, project, owner):
    """Belt and braces: were a key's principal an owner somewhere (rows from before this rule),
    the service still refuses it a key."""
    key = ApiKey.objects.get(pk=create_key(api, owner, project, role="editor")["id"])
    elsewhere = ProjectFactory()
    Membership.objects.create(project=elsewhere, user=key.principal, role=Role.OWNER)
    client = with_key_for(key)
    refused = client.post(f"/api/v1/projects/{elsewhere.id}/api-keys/", {"name": "spare", "role": "editor"}, format="json")
    assert refused.status_code == 403 and "create API keys" in refused.json()["error"]["message"]
    assert ApiKey.objects.filter(project=elsewhere).count() == 0


def with_key_for(key: ApiKey):
    """A client for an existing key row: give it a fresh raw key (only the hash is stored)."""
    raw = services.KEY_PREFIX + "test-" + key.pk.hex
    ApiKey.objects.filter(pk=key.pk).update(key_hash=services.key_hash(raw))
    return with_key(raw)


def test_revoking_a_key_revokes_every_key_its_principal_made(api, project, owner):
    """The seen exploit, with its rows made as they were before the rule: a viewer key owned a
    project it created and had minted a key there; revoking the viewer key ends both."""
    viewer_key = ApiKey.objects.get(pk=create_key(api, owner, project, role="viewer")["id"])
    own_project = ProjectFactory(created_by=viewer_key.principal)
    Membership.objects.create(project=own_project, user=viewer_key.principal, role=Role.OWNER)
    minted, raw_minted = _key_made_by(viewer_key.principal, own_project)
    minted_client = with_key(raw_minted)
    assert minted_client.get(f"/api/v1/projects/{own_project.id}/").status_code == 200

    assert api(owner).delete(f"/api/v1/api-keys/{viewer_key.id}/").status_code == 204

    refused = minted_client.get(f"/api/v1/projects/{own_project.id}/")
    assert refused.status_code == 401 and "revoked" in refused.json()["error"]["message"]
    assert minted_client.post(f"/api/v1/projects/{own_project.id}/generations/", {"prompt": "x"}, format="json").status_code == 401


def _key_made_by(principal, project):
    """A key row as a key could make it before the rule (the service now refuses it)."""
    from django.contrib.auth import get_user_model

    raw = services.KEY_PREFIX + "minted-" + project.pk.hex
    minted_principal = get_user_model().objects.create_user(username=f"apikey-minted-{project.pk.hex[:8]}", password=None)
    Membership.objects.create(project=project, user=minted_principal, role=Role.EDITOR)
    minted = ApiKey.objects.create(
        project=project, name="minted", role=Role.EDITOR, principal=minted_principal, prefix=raw[:12],
        key_hash=services.key_hash(raw), created_by=principal,
    )
    return minted, raw


def test_a_deactivated_principal_stops_authenticating(api, project, owner):
    created = create_key(api, owner, project)
    client = with_key(created["key"])
    assert client.get(f"/api/v1/projects/{project.id}/").status_code == 200
    principal = ApiKey.objects.get(pk=created["id"]).principal
    principal.is_active = False
    principal.save(update_fields=["is_active"])
    refused = client.get(f"/api/v1/projects/{project.id}/")
    assert refused.status_code == 401 and "deactivated" in refused.json()["error"]["message"]
    assert ApiKey.objects.get(pk=created["id"]).revoked_at is None  # not revoked: deactivated
