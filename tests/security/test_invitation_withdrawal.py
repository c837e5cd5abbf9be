"""Issue 29 item 2: invitations can be listed and withdrawn, and never outlive a newer one, an
acceptance or a removal. The seen exploit: invited as owner, re-invited as viewer, accepted the
viewer one, was removed, then accepted the older one and became owner."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from apps.audit.models import AuditEvent
from apps.projects.invitations import _digest
from apps.projects.models import Invitation, Membership
from tests.factories import UserFactory
from tests.security.test_invitations import invite, token_from

pytestmark = pytest.mark.django_db(transaction=True)  # the email leaves when the invitation commits


def accept(api, user, token):
    return api(user).post("/api/v1/invitations/accept/", {"token": token}, format="json")


def test_owners_list_open_invitations_and_withdraw_one(api, project, owner, editor):
    owner.email = "owner@example.com"
    owner.save(update_fields=["email"])
    carla = UserFactory(username="carla", email="carla@example.com")
    invite(api, owner, project, "carla@example.com", role="reviewer")
    invite(api, owner, project, "dan@example.com", role="viewer")

    listed = api(owner).get(f"/api/v1/projects/{project.id}/invitations/")
    assert listed.status_code == 200
    rows = {row["email"]: row for row in listed.json()}
    assert set(rows) == {"carla@example.com", "dan@example.com"}
    assert rows["carla@example.com"]["role"] == "reviewer" and rows["carla@example.com"]["invited_by"] == owner.username
    assert rows["carla@example.com"]["created_at"] and rows["carla@example.com"]["expires_at"]
    assert "token" not in str(listed.json()) and "token_sha256" not in rows["carla@example.com"]
    assert api(editor).get(f"/api/v1/projects/{project.id}/invitations/").status_code == 403

    withdrawn = api(owner).delete(f"/api/v1/invitations/{rows['carla@example.com']['id']}/")
    assert withdrawn.status_code == 204
    assert [row["email"] for row in api(owner).get(f"/api/v1/projects/{project.id}/invitations/").json()] == ["dan@example.com"]
    assert accept(api, carla, token_from(mail.outbox[0])).status_code == 404
    assert not Membership.objects.filter(user=carla).exists()
    event = AuditEvent.objects.get(action="member.invitation_withdrawn")
    assert (event.actor_id, event.target, event.before) == (owner.id, "carla@example.com", {"role": "reviewer"})


def test_the_seen_exploit_an_older_invitation_does_not_bring_a_removed_member_back_as_owner(api, project, owner):
    carla = UserFactory(username="carla", email="carla@example.com")
    invite(api, owner, project, "carla@example.com", role="owner")
    invite(api, owner, project, "carla@example.com", role="viewer")  # replaces the owner one
    as_owner, as_viewer = token_from(mail.outbox[0]), token_from(mail.outbox[1])
    assert [row["role"] for row in api(owner).get(f"/api/v1/projects/{project.id}/invitations/").json()] == ["viewer"]

    assert accept(api, carla, as_viewer).json()["role"] == "viewer"
    assert api(owner).delete(f"/api/v1/projects/{project.id}/members/{carla.id}/").status_code == 204

    refused = accept(api, carla, as_owner)
    assert refused.status_code == 404 and "unknown, used or expired" in refused.json()["error"]["message"]
    assert not Membership.objects.filter(user=carla, project=project).exists()


def test_accepting_closes_the_addresss_other_open_invitations(api, project, owner):
    """Two open invitations to one address (made before replacing was the rule): accepting one closes the other."""
    carla = UserFactory(username="carla", email="carla@example.com")
    expires = timezone.now() + timedelta(days=7)
    for role, token in (("owner", "older-owner-token"), ("viewer", "newer-viewer-token")):
        Invitation.objects.create(project=project, email="carla@example.com", role=role, token_sha256=_digest(token), invited_by=owner, expires_at=expires)

    assert accept(api, carla, "newer-viewer-token").json()["role"] == "viewer"
    assert api(owner).get(f"/api/v1/projects/{project.id}/invitations/").json() == []
    assert api(owner).delete(f"/api/v1/projects/{project.id}/members/{carla.id}/").status_code == 204
    assert accept(api, carla, "older-owner-token").status_code == 404


def test_removing_a_member_closes_invitations_sent_to_them_while_a_member(api, project, owner):
    carla = UserFactory(username="carla", email="Carla@Example.com")
    invite(api, owner, project, "carla@example.com", role="viewer")
    accept(api, carla, token_from(mail.outbox[0]))
    invite(api, owner, project, "carla@example.com", role="owner")  # the same answer for a member, and a mail
    assert api(owner).delete(f"/api/v1/projects/{project.id}/members/{carla.id}/").status_code == 204
    assert accept(api, carla, token_from(mail.outbox[1])).status_code == 404
    assert not Membership.objects.filter(user=carla, project=project).exists()


def test_an_accepted_invitation_cannot_be_withdrawn_and_outsiders_get_404(api, project, owner, outsider):
    carla = UserFactory(username="carla", email="carla@example.com")
    invite(api, owner, project, "carla@example.com", role="viewer")
    invitation = Invitation.objects.get()
    assert api(outsider).delete(f"/api/v1/invitations/{invitation.id}/").status_code == 404
    accept(api, carla, token_from(mail.outbox[0]))
    assert api(owner).delete(f"/api/v1/invitations/{invitation.id}/").status_code == 204  # nothing left to close: no change
    assert Invitation.objects.get().withdrawn_at is None and Membership.objects.filter(user=carla).exists()
    assert not AuditEvent.objects.filter(action="member.invitation_withdrawn").exists()
