"""Issue 27, "Members and keys on the pages": the Members page, the invitation landing page and
the API keys page, through the services REST uses (so the last-owner rule and the audit log hold)."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.apikeys.models import ApiKey
from apps.apikeys.services import api_key_create, key_hash
from apps.audit.models import AuditEvent
from apps.projects.models import Invitation, Membership
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db(transaction=True)  # the invitation email leaves on commit


def members_url(project):
    return f"/projects/{project.pk}/members/"


def token_from(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", message.body).group(1)


def test_everyone_sees_who_is_in_the_project_but_only_owners_manage(client, project, owner, viewer):
    client.force_login(viewer)
    page = client.get(members_url(project)).content.decode()
    assert owner.username in page and viewer.username in page
    assert "Invite someone" not in page and "Pending invitations" not in page and "Remove" not in page

    client.force_login(owner)
    page = client.get(members_url(project)).content.decode()
    assert "Invite someone" in page and "Pending invitations" in page and f'action="/projects/{project.pk}/members/{viewer.pk}/remove/"' in page


def test_api_key_principals_are_not_listed_as_members(client, project, owner):
    api_key_create(project=project, created_by=owner, name="cms", role="viewer")
    client.force_login(owner)
    page = client.get(members_url(project)).content.decode()
    assert "apikey-" not in page


def test_owner_invites_sees_it_pending_and_withdraws_it(client, project, owner):
    client.force_login(owner)

    response = client.post(members_url(project), {"email": "Carla@Example.com", "role": "reviewer"}, follow=True)

    page = response.content.decode()
    assert "Invitation sent to carla@example.com as reviewer" in page
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["carla@example.com"]
    invitation = Invitation.objects.get(project=project, email="carla@example.com")
    row = re.search(rf'<tr id="invitation-{invitation.pk}">(.*?)</tr>', page, re.S).group(1)
    assert "Reviewer" in row and owner.username in row and invitation.expires_at.strftime("%Y-%m-%d") in row

    response = client.post(f"/invitations/{invitation.pk}/withdraw/", follow=True)

    assert "withdrawn" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None
    assert f"invitation-{invitation.pk}" not in response.content.decode()
    assert list(AuditEvent.objects.filter(project=project).values_list("action", flat=True).order_by("id")) == [
        "member.invited", "member.invitation_withdrawn"]
    assert client.get(f"/invitations/{token_from(mail.outbox[0])}/").status_code == 404


def test_a_bad_invitation_is_refused_next_to_its_field(client, project, owner):
    client.force_login(owner)
    response = client.post(members_url(project), {"email": "not-an-address", "role": "boss"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Enter a valid email address" in page and "Select a valid choice. boss is not one of the available choices." in page
    assert not Invitation.objects.exists() and not mail.outbox


def test_owner_changes_a_role_and_removes_a_member_audited(client, project, owner, viewer):
    client.force_login(owner)

    page = client.post(f"/projects/{project.pk}/members/{viewer.pk}/role/", {"role": "editor"}, follow=True).content.decode()
    assert f"{viewer.username} is now editor" in page
    assert Membership.objects.get(project=project, user=viewer).role == "editor"

    page = client.post(f"/projects/{project.pk}/members/{viewer.pk}/remove/", follow=True).content.decode()
    assert f"{viewer.username} was removed" in page
    assert not Membership.objects.filter(project=project, user=viewer).exists()
    assert list(AuditEvent.objects.filter(project=project).values_list("action", flat=True).order_by("id")) == [
        "member.role_changed", "member.removed"]


def test_the_last_owner_can_be_neither_demoted_nor_removed(client, project, owner):
    client.force_login(owner)

    page = client.post(f"/projects/{project.pk}/members/{owner.pk}/role/", {"role": "viewer"}, follow=True).content.decode()
    assert f"{owner.username} stays owner: A project must keep at least one owner; make someone else owner first." in page

    page = client.post(f"/projects/{project.pk}/members/{owner.pk}/remove/", follow=True).content.decode()
    assert f"{owner.username} stays a member: A project must keep at least one owner" in page
    assert Membership.objects.get(project=project, user=owner).role == "owner"
    assert not AuditEvent.objects.filter(project=project).exists()


def test_a_key_principal_cannot_be_changed_from_the_members_page(client, project, owner):
    api_key, _ = api_key_create(project=project, created_by=owner, name="cms", role="viewer")
    client.force_login(owner)
    assert client.post(f"/projects/{project.pk}/members/{api_key.principal_id}/role/", {"role": "owner"}).status_code == 404
    assert Membership.objects.get(user=api_key.principal).role == "viewer"


# --- the invitation page


@pytest.fixture
def invited(client, project, owner):
    """An invitation from `owner` to carla@example.com as reviewer, and its token."""
    client.force_login(owner)
    client.post(members_url(project), {"email": "carla@example.com", "role": "reviewer"})
    client.logout()
    return token_from(mail.outbox[-1])


def test_the_invitation_page_says_what_and_who_to_a_visitor(client, project, owner, invited):
    page = client.get(f"/invitations/{invited}/").content.decode()
    assert project.name in page and "Reviewer" in page and owner.username in page
    assert "c•••@example.com" in page and "carla@example.com" not in page
    assert f"/login/?next=/invitations/{invited}/" in page and "Create an account" in page


def test_a_visitor_creates_an_account_with_the_invited_address_and_joins(client, project, invited):
    response = client.post(f"/invitations/{invited}/", {"username": "carla", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"})
    assert response.status_code == 302 and response["Location"] == f"/projects/{project.pk}/"
    carla = Membership.objects.select_related("user").get(project=project, user__username="carla")
    assert carla.role == "reviewer" and carla.user.email == "carla@example.com"
    assert client.get(f"/projects/{project.pk}/").status_code == 200  # signed in
    assert client.get(f"/invitations/{invited}/").status_code == 404  # used


def test_creating_an_account_refuses_an_address_that_has_one(client, project, invited):
    UserFactory(username="carla-old", email="carla@example.com")
    response = client.post(f"/invitations/{invited}/", {"username": "carla2", "password1": "a long pass phrase 42", "password2": "a long pass phrase 42"})
    assert response.status_code == 400
    assert "An account with this address exists already: log in with it to accept." in response.content.decode()
    assert not Membership.objects.filter(project=project, user__username__in=["carla2", "carla-old"]).exists()


def test_the_invited_person_signed_in_accepts(client, project, invited):
    carla = UserFactory(username="carla", email="carla@example.com")
    client.force_login(carla)
    assert "Accept and join" in client.get(f"/invitations/{invited}/").content.decode()
    response = client.post(f"/invitations/{invited}/", follow=True)
    assert "You joined" in response.content.decode()
    assert Membership.objects.get(project=project, user=carla).role == "reviewer"


def test_a_wrong_account_is_told_so_with_the_address_masked(client, project, invited):
    dan = UserFactory(username="dan", email="dan@example.com")
    client.force_login(dan)
    page = client.get(f"/invitations/{invited}/").content.decode()
    assert "This invitation was sent to <strong>c•••@example.com</strong>, but you are signed in as dan" in page
    assert "Accept and join" not in page and "carla@example.com" not in page
    assert client.post(f"/invitations/{invited}/").status_code == 403
    assert not Membership.objects.filter(project=project, user=dan).exists()


def test_an_unknown_token_is_not_found(client):
    assert client.get("/invitations/nothing-like-this/").status_code == 404


# --- the API keys page


def keys_url(project):
    return f"/projects/{project.pk}/settings/api-keys/"


def test_owner_makes_a_key_shown_once_that_works(client, api, project, owner):
    client.force_login(owner)
    tomorrow = (timezone.now() + timedelta(days=2)).date()

    response = client.post(keys_url(project), {"name": "CMS export", "role": "editor", "expires_on": tomorrow.isoformat()})

    assert response.status_code == 200
    raw = re.search(r'id="new-key-value" value="(bip_[\w-]+)"', response.content.decode()).group(1)
    api_key = ApiKey.objects.get(project=project)
    assert api_key.key_hash == key_hash(raw) and api_key.role == "editor" and api_key.expires_at.date() == tomorrow
    assert 'data-copy="new-key-value"' in response.content.decode()
    listing = client.get(keys_url(project)).content.decode()
    assert raw not in listing and api_key.prefix in listing and "CMS export" in listing and "never" in listing  # never used

    from rest_framework.test import APIClient

    machine = APIClient()
    machine.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert machine.get(f"/api/v1/projects/{project.pk}/assets/").status_code == 200
    assert AuditEvent.objects.filter(project=project, action="api_key.created").exists()


def test_a_key_expiring_in_the_past_is_refused_at_its_field(client, project, owner):
    client.force_login(owner)
    response = client.post(keys_url(project), {"name": "Old", "role": "viewer", "expires_on": "2001-01-01"})
    assert response.status_code == 400
    assert "expires_at must be in the future" in response.content.decode()
    assert not ApiKey.objects.exists()


def test_owner_revokes_a_key(client, project, owner):
    api_key, raw = api_key_create(project=project, created_by=owner, name="cms", role="viewer")
    client.force_login(owner)
    page = client.post(f"/api-keys/{api_key.pk}/revoke/", follow=True).content.decode()
    assert "is revoked" in page and "Revoked" in page
    api_key.refresh_from_db()
    assert api_key.revoked_at is not None


def test_members_who_are_not_owners_have_no_keys_page(client, project, editor):
    client.force_login(editor)
    assert client.get(keys_url(project)).status_code == 403
    assert "API keys" not in client.get(members_url(project)).content.decode()


def test_nav_links_owners_to_settings_and_others_to_members(client, project, owner, viewer):
    client.force_login(owner)
    home = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/settings/"' in home
    client.force_login(viewer)
    home = client.get(f"/projects/{project.pk}/").content.decode()
    assert f'href="/projects/{project.pk}/members/"' in home and "/settings/" not in home


def test_a_new_member_is_listed_with_their_role(client, project, owner):
    rita = member(project, "reviewer", username="rita")
    client.force_login(owner)
    page = client.get(members_url(project)).content.decode()
    row = re.search(rf'<tr id="member-{rita.pk}">(.*?)</tr>', page, re.S).group(1)
    assert 'value="reviewer" selected' in row
