"""Issue 29 item 9: webhook secret rotation, project settings changes and every admin save are
audited, and admin saves follow the services' rules (the last owner stays; no webhook URL at a
private or metadata address is stored)."""

import pytest

from apps.audit.models import AuditEvent
from apps.projects.models import Membership
from apps.webhooks.models import WebhookEndpoint
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db

PUBLIC_HOOK = "https://93.184.216.34/hooks/brand"  # a global address, no DNS needed


def events(action):
    return list(AuditEvent.objects.filter(action=action).values("actor_id", "target", "before", "after"))


def test_rotating_a_webhook_secret_is_audited_with_who_did_it_and_no_secret(api, project, owner):
    created = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": PUBLIC_HOOK, "events": ["asset.review_changed"]}, format="json")
    assert created.status_code == 201, created.json()
    rotated = api(owner).post(f"/api/v1/webhooks/{created.json()['id']}/rotate-secret/", {"grace_seconds": 600}, format="json")
    assert rotated.status_code == 200
    [event] = events("webhook.secret_rotated")
    assert event["actor_id"] == owner.id and event["target"] == PUBLIC_HOOK and event["after"]["grace_seconds"] == 600
    assert "whsec_" not in str(event)


def test_name_brief_and_credentials_settings_changes_are_audited(api, project, owner):
    before_name, before_brief = project.name, project.brief
    response = api(owner).patch(
        f"/api/v1/projects/{project.id}/", {"name": "Spring", "brief": "Warm light, no neon.", "credentials_include_prompt": True}, format="json",
    )
    assert response.status_code == 200
    [event] = events("project.changed")
    assert event["actor_id"] == owner.id
    assert event["before"] == {"name": before_name, "brief": before_brief, "credentials_include_prompt": False}
    assert event["after"] == {"name": "Spring", "brief": "Warm light, no neon.", "credentials_include_prompt": True}
    api(owner).patch(f"/api/v1/projects/{project.id}/", {"name": "Spring"}, format="json")  # no change: no row
    assert len(events("project.changed")) == 1


@pytest.fixture
def superuser_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_cannot_leave_a_project_without_an_owner(superuser_client, project, owner):
    membership = Membership.objects.get(user=owner, project=project)
    url = f"/admin/projects/membership/{membership.pk}/change/"
    response = superuser_client.post(url, {"project": project.pk, "user": owner.pk, "role": "viewer"})
    assert response.status_code == 200 and "must keep at least one owner" in response.content.decode()
    assert Membership.objects.get(pk=membership.pk).role == "owner"
    assert superuser_client.post(f"/admin/projects/membership/{membership.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.exists()


def test_an_admin_role_change_is_audited_with_its_actor(superuser_client, project, owner):
    ed = member(project, "editor", username="ed")
    membership = Membership.objects.get(user=ed, project=project)
    response = superuser_client.post(f"/admin/projects/membership/{membership.pk}/change/", {"project": project.pk, "user": ed.pk, "role": "reviewer"})
    assert response.status_code == 302
    [event] = AuditEvent.objects.filter(action="member.role_changed")
    assert (event.actor_name, event.target, event.before, event.after) == ("root", "ed", {"role": "editor"}, {"role": "reviewer"})
    superuser_client.post(f"/admin/projects/membership/{membership.pk}/delete/", {"post": "yes"})
    assert AuditEvent.objects.filter(action="member.removed", target="ed", actor_name="root").exists()


def test_an_admin_project_edit_is_audited(superuser_client, project):
    response = superuser_client.post(
        f"/admin/projects/project/{project.pk}/change/",
        {"name": "Renamed in admin", "brief": project.brief, "monthly_budget_usd": "50.00", "memberships-TOTAL_FORMS": 0, "memberships-INITIAL_FORMS": 0},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert AuditEvent.objects.get(action="project.changed").after == {"name": "Renamed in admin"}
    assert AuditEvent.objects.get(action="budget.changed").after == {"monthly_budget_usd": "50.00"}


@pytest.mark.parametrize("url", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.5/hook", "http://[::ffff:169.254.169.254]/"])
def test_the_admin_never_stores_a_webhook_url_at_a_private_or_metadata_address(superuser_client, project, owner, url):
    endpoint = WebhookEndpoint.objects.create(project=project, url=PUBLIC_HOOK, events=["asset.review_changed"])
    change = f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/"
    form = {"project": project.pk, "url": url, "events": '["asset.review_changed"]', "is_active": "on"}
    response = superuser_client.post(change, form)
    assert response.status_code == 200 and "private or internal address" in response.content.decode()
    assert WebhookEndpoint.objects.get(pk=endpoint.pk).url == PUBLIC_HOOK
    added = superuser_client.post("/admin/webhooks/webhookendpoint/add/", form)
    assert added.status_code == 200 and WebhookEndpoint.objects.count() == 1


def test_an_admin_webhook_change_is_audited(superuser_client, project):
    endpoint = WebhookEndpoint.objects.create(project=project, url=PUBLIC_HOOK, events=["asset.review_changed"])
    form = {"project": project.pk, "url": PUBLIC_HOOK + "/v2", "events": '["asset.review_changed"]', "is_active": "on"}
    assert superuser_client.post(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/", form).status_code == 302
    [event] = events("webhook.changed")
    assert event["before"] == {"url": PUBLIC_HOOK} and event["after"] == {"url": PUBLIC_HOOK + "/v2"}
