"""Item 7 of issue 18: every change of a project's review policy, members and roles, budget and
webhooks is in an append-only audit log owners see; an approval records the policy in force."""

import pytest
from django.db import DatabaseError, connection, transaction

from apps.audit.models import AppendOnly, AuditEvent
from tests.factories import member, stored_asset

pytestmark = pytest.mark.django_db


def audit(api, owner, project):
    response = api(owner).get(f"/api/v1/projects/{project.id}/audit/")
    assert response.status_code == 200
    return response.json()["results"]


def test_switching_four_eyes_off_approving_and_back_on_leaves_a_record(api, project, owner):
    asset = stored_asset(project, user=owner)
    policy_url = f"/api/v1/projects/{project.id}/review-policy/"
    assert api(owner).patch(policy_url, {"four_eyes": False}, format="json").status_code == 200
    approval = api(owner).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")
    assert approval.status_code == 201
    api(owner).patch(policy_url, {"four_eyes": True}, format="json")

    assert approval.json()["policy_in_force"] == {"decider_roles": ["reviewer", "owner"], "four_eyes": False, "approvals_required": 1, "checks_must_pass": False, "guests_count": False, "editors_share_links": False}
    off, on = reversed([e for e in audit(api, owner, project) if e["action"] == "review_policy.changed"])
    assert (off["before"]["four_eyes"], off["after"]["four_eyes"], off["actor"]) == (True, False, owner.username)
    assert (on["before"]["four_eyes"], on["after"]["four_eyes"]) == (False, True)


def test_members_budget_and_webhooks_are_recorded_with_before_and_after(api, project, owner, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    bob = member(project, "viewer", username="bob")
    client = api(owner)
    client.patch(f"/api/v1/projects/{project.id}/members/{bob.id}/", {"role": "editor"}, format="json")
    client.delete(f"/api/v1/projects/{project.id}/members/{bob.id}/")
    client.patch(f"/api/v1/projects/{project.id}/", {"monthly_budget_usd": "250.00"}, format="json")
    old_name = project.name
    client.patch(f"/api/v1/projects/{project.id}/", {"name": "Renamed"}, format="json")  # logged since issue 29 item 9
    hook = client.post(f"/api/v1/projects/{project.id}/webhooks/", {"url": "http://127.0.0.1:9/h", "events": ["asset.review_changed"]}, format="json").json()
    client.delete(f"/api/v1/webhooks/{hook['id']}/")

    log = [(e["action"], e["target"], e["before"], e["after"]) for e in reversed(audit(api, owner, project))]
    assert log == [
        ("member.role_changed", "bob", {"role": "viewer"}, {"role": "editor"}),
        ("member.removed", "bob", {"role": "editor"}, None),
        ("budget.changed", "", {"monthly_budget_usd": None}, {"monthly_budget_usd": "250.00"}),
        ("project.changed", "Renamed", {"name": old_name}, {"name": "Renamed"}),
        ("webhook.created", "http://127.0.0.1:9/h", None, {"url": "http://127.0.0.1:9/h", "events": ["asset.review_changed"]}),
        ("webhook.deleted", "http://127.0.0.1:9/h", {"url": "http://127.0.0.1:9/h", "events": ["asset.review_changed"]}, None),
    ]


@pytest.mark.parametrize("role", ["editor", "reviewer", "viewer"])
def test_only_owners_see_the_log(api, client, project, role):
    user = member(project, role)
    assert api(user).get(f"/api/v1/projects/{project.id}/audit/").status_code == 403
    client.force_login(user)
    assert client.get(f"/projects/{project.id}/audit/").status_code == 403


def test_owners_see_it_on_a_page(api, client, project, owner):
    api(owner).patch(f"/api/v1/projects/{project.id}/review-policy/", {"approvals_required": 2}, format="json")
    client.force_login(owner)
    page = client.get(f"/projects/{project.id}/audit/").content.decode()
    assert f"{owner.username} changed the review policy: approvals required 2 (was 1)." in page  # a sentence (issue 28 item 14)


def test_the_log_cannot_be_changed_or_deleted(api, project, owner):
    api(owner).patch(f"/api/v1/projects/{project.id}/review-policy/", {"four_eyes": False}, format="json")
    event = AuditEvent.objects.get()
    event.after = {"four_eyes": True}
    for attempt in (event.save, event.delete, lambda: AuditEvent.objects.update(after=None), lambda: AuditEvent.objects.all().delete()):
        with pytest.raises(AppendOnly):
            attempt()
    with pytest.raises(DatabaseError), transaction.atomic():  # the database refuses too
        with connection.cursor() as cursor:
            cursor.execute("UPDATE audit_auditevent SET after = NULL")
    assert AuditEvent.objects.get().after == {"decider_roles": ["reviewer", "owner"], "four_eyes": False, "approvals_required": 1, "checks_must_pass": False, "guests_count": False, "editors_share_links": False}


@pytest.mark.scale
def test_postgresql_refuses_deleting_audit_rows(api, project, owner):
    api(owner).patch(f"/api/v1/projects/{project.id}/review-policy/", {"four_eyes": False}, format="json")
    with pytest.raises(DatabaseError), transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditevent")
    assert AuditEvent.objects.count() == 1
