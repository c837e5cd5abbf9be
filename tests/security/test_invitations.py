"""Item 8 of issue 18: inviting a member never reveals whether an account exists."""

import re

import pytest
from django.core import mail

from apps.projects.models import Membership
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)  # the email leaves when the invitation commits


def invite(api, owner, project, email, role="editor"):
    return api(owner).post(f"/api/v1/projects/{project.id}/members/", {"email": email, "role": role}, format="json")


def token_from(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", message.body).group(1)


def test_the_answer_is_the_same_whether_or_not_the_account_exists(api, project, owner):
    UserFactory(username="carla", email="carla@example.com")
    owner.email = "owner@example.com"
    owner.save(update_fields=["email"])
    existing = invite(api, owner, project, "carla@example.com")
    missing = invite(api, owner, project, "nobody@example.com")
    member_already = invite(api, owner, project, "owner@example.com")

    assert existing.status_code == missing.status_code == member_already.status_code == 202
    strip = lambda body: {k: v for k, v in body.items() if k not in ("email", "expires_at")}  # noqa: E731
    assert strip(existing.json()) == strip(missing.json()) == strip(member_already.json()) == {"role": "editor", "status": "invited"}
    assert sorted(m.to[0] for m in mail.outbox) == ["carla@example.com", "nobody@example.com", "owner@example.com"]
    assert not Membership.objects.filter(user__username="carla").exists()  # nobody joins before accepting


def test_the_invited_account_joins_from_the_emailed_link_once(api, project, owner):
    carla = UserFactory(username="carla", email="Carla@Example.com")
    invite(api, owner, project, "carla@example.com", role="reviewer")
    token = token_from(mail.outbox[0])

    joined = api(carla).post("/api/v1/invitations/accept/", {"token": token}, format="json")
    assert joined.status_code == 201 and joined.json()["role"] == "reviewer"
    assert api(carla).post("/api/v1/invitations/accept/", {"token": token}, format="json").status_code == 404  # used


def test_another_account_cannot_use_the_link(api, project, owner):
    UserFactory(username="carla", email="carla@example.com")
    mallory = UserFactory(username="mallory", email="mallory@example.com")
    invite(api, owner, project, "carla@example.com")
    response = api(mallory).post("/api/v1/invitations/accept/", {"token": token_from(mail.outbox[0])}, format="json")
    assert response.status_code == 404
    assert not Membership.objects.filter(user=mallory).exists()


def test_the_link_opens_a_page_that_accepts(client, api, project, owner):
    carla = UserFactory(username="carla", email="carla@example.com")
    invite(api, owner, project, "carla@example.com", role="viewer")
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    client.force_login(carla)
    page = client.get(link)
    assert page.status_code == 200 and project.name in page.content.decode()
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=carla, project=project).role == "viewer"


def test_only_owners_invite(api, project, editor):
    assert invite(api, editor, project, "x@example.com").status_code == 403
