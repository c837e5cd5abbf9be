"""Issue 28 item 14: the owners' Settings on the pages — budget with this month's spend and an alert
threshold (email and webhook, once a month), review policy, Content Credentials, webhooks (add,
test, rotate, delete, recent deliveries) — and an audit log that reads as sentences."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from apps.approvals.policy import policy_for
from apps.audit.models import AuditAction, AuditEvent
from apps.audit.sentences import describe, values_beyond_the_sentence
from apps.generations.budget_alerts import budget_alert_check
from apps.generations.models import Generation
from apps.generations.signals import job_finished
from apps.projects.models import Project
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)  # alerts leave on commit


def settings_url(project):
    return f"/projects/{project.pk}/settings/"


def spend(project, usd: str, user=None) -> Generation:
    return Generation.objects.create(
        project=project, prompt="a kite", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K",
        created_by=user, status="succeeded", cost_usd=Decimal(usd),
    )


@pytest.fixture
def owner_with_email(owner):
    owner.email = "olga@example.com"
    owner.save(update_fields=["email"])
    return owner


def test_only_owners_open_settings(client, project, editor, viewer):
    for user in (editor, viewer):
        client.force_login(user)
        assert client.get(settings_url(project)).status_code == 403


def test_the_budget_shows_this_months_spend_against_it(client, project, owner):
    Project.objects.filter(pk=project.pk).update(monthly_budget_usd=Decimal("10"), budget_alert_percent=80)
    spend(project, "2.50")
    client.force_login(owner)
    page = client.get(settings_url(project)).content.decode()
    assert "<strong>$2.50</strong> of $10.00 spent this month (25.0%); $7.50 left." in page
    assert 'data-meter="25"' in page and 'data-mark="80"' in page


def test_saving_the_budget_is_audited_and_a_passed_threshold_alerts_once(client, project, owner_with_email, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    hook = WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["project.budget_alert"])
    spend(project, "9.00")
    client.force_login(owner_with_email)

    response = client.post(settings_url(project), {"form": "budget", "budget-monthly_budget_usd": "10", "budget-budget_alert_percent": "80"}, follow=True)

    assert "Budget saved." in response.content.decode()
    project.refresh_from_db()
    assert project.monthly_budget_usd == Decimal("10.00") and project.budget_alert_percent == 80
    event = AuditEvent.objects.get(project=project, action="budget.changed")
    assert event.after == {"monthly_budget_usd": "10.00", "budget_alert_percent": 80}
    alerts = [m for m in mail.outbox if "budget" in m.subject]
    assert len(alerts) == 1 and alerts[0].to == ["olga@example.com"] and "$9.00 of its $10.00" in alerts[0].body
    delivery = WebhookDelivery.objects.get(endpoint=hook, event="project.budget_alert")
    assert delivery.payload["data"] == {"budget_usd": "10.00", "spent_usd": "9.00", "percent": 90.0, "threshold_percent": 80,
                                        "month": delivery.payload["data"]["month"]}

    # Another finished job the same month: no second alert.
    job_finished.send(sender=Generation, generation=spend(project, "0.50"), status="succeeded")
    assert budget_alert_check(project=project) is False
    assert len([m for m in mail.outbox if "budget" in m.subject]) == 1
    assert WebhookDelivery.objects.filter(event="project.budget_alert").count() == 1


def test_a_finished_job_that_passes_the_threshold_alerts(project, owner_with_email):
    Project.objects.filter(pk=project.pk).update(monthly_budget_usd=Decimal("10"), budget_alert_percent=50)
    spend(project, "4.00")
    assert budget_alert_check(project=project) is False
    assert not mail.outbox

    job_finished.send(sender=Generation, generation=spend(project, "1.00"), status="succeeded")

    assert len(mail.outbox) == 1 and "50% of this month's budget" in mail.outbox[0].subject
    assert Project.objects.get(pk=project.pk).budget_alert_sent_for is not None


def test_changing_the_threshold_watches_afresh(project, owner_with_email):
    from apps.projects.services import project_update

    Project.objects.filter(pk=project.pk).update(monthly_budget_usd=Decimal("10"), budget_alert_percent=50)
    spend(project, "6.00")
    assert budget_alert_check(project=project) is True
    project_update(project=Project.objects.get(pk=project.pk), actor=owner_with_email, budget_alert_percent=60)
    assert budget_alert_check(project=project) is True
    assert len(mail.outbox) == 2


def test_an_alert_without_a_budget_is_refused_at_its_field(client, project, owner):
    client.force_login(owner)
    response = client.post(settings_url(project), {"form": "budget", "budget-monthly_budget_usd": "", "budget-budget_alert_percent": "80"})
    assert response.status_code == 400
    assert "An alert needs a budget to measure against" in response.content.decode()
    response = client.post(settings_url(project), {"form": "budget", "budget-monthly_budget_usd": "-1", "budget-budget_alert_percent": "180"})
    page = response.content.decode()
    assert response.status_code == 400 and "greater than or equal to 0" in page and "less than or equal to 100" in page
    assert Project.objects.get(pk=project.pk).budget_alert_percent is None and not AuditEvent.objects.exists()


def test_owner_changes_the_review_policy(client, project, owner):
    client.force_login(owner)
    response = client.post(settings_url(project), {"form": "review", "review-decider_roles": ["owner", "editor"],
                                                   "review-approvals_required": "2", "review-checks_must_pass": "on"}, follow=True)
    assert "Review policy saved." in response.content.decode()
    rules = policy_for(Project.objects.get(pk=project.pk))
    assert rules.decider_roles == ["owner", "editor"] and rules.approvals_required == 2 and not rules.four_eyes and rules.checks_must_pass
    assert AuditEvent.objects.filter(action="review_policy.changed").count() == 1

    response = client.post(settings_url(project), {"form": "review", "review-decider_roles": [], "review-approvals_required": "9"})
    page = response.content.decode()
    assert response.status_code == 400 and "Choose at least one role that may decide reviews." in page and "less than or equal to 5" in page


def test_owner_sets_what_content_credentials_disclose(client, project, owner):
    client.force_login(owner)
    client.post(settings_url(project), {"form": "credentials", "credentials-credentials_include_names": "on"})
    project.refresh_from_db()
    assert project.credentials_include_names and not project.credentials_include_prompt and not project.credentials_include_comments
    assert AuditEvent.objects.get(action="project.changed").after == {"credentials_include_names": True}


# --- webhooks


def hooks_url(project):
    return f"/projects/{project.pk}/settings/webhooks/"


def test_owner_adds_a_webhook_and_sees_its_secret_once(client, project, owner, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    client.force_login(owner)
    response = client.post(hooks_url(project), {"url": "http://127.0.0.1:9/hook", "events": ["asset.review_changed", "project.budget_alert"]})
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get(project=project)
    assert endpoint.events == ["asset.review_changed", "project.budget_alert"]
    assert f'value="{endpoint.secret}"' in response.content.decode()
    assert endpoint.secret not in client.get(hooks_url(project)).content.decode()
    assert AuditEvent.objects.filter(action="webhook.created").exists()


def test_a_refused_webhook_url_is_said_at_its_field(client, project, owner):
    client.force_login(owner)
    response = client.post(hooks_url(project), {"url": "http://169.254.169.254/latest", "events": ["asset.review_changed"]})
    assert response.status_code == 400
    assert 'id="id_url_error"' in response.content.decode()
    response = client.post(hooks_url(project), {"url": "https://example.com/hook"})
    assert "Choose at least one event to send." in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_test_rotate_delete_and_recent_deliveries(client, project, owner, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    endpoint = WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["asset.review_changed"])
    old_secret = endpoint.secret
    client.force_login(owner)

    page = client.post(f"/webhooks/{endpoint.pk}/test/", follow=True).content.decode()
    assert "A test delivery is on its way" in page
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert delivery.event == "webhook.test" and delivery.payload["data"]["sent_by"] == owner.username
    assert re.search(r"webhook\.test</code>", page)

    response = client.post(f"/webhooks/{endpoint.pk}/rotate/")
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.previous_secret == old_secret
    assert f'value="{endpoint.secret}"' in response.content.decode()

    page = client.post(f"/webhooks/{endpoint.pk}/delete/", follow=True).content.decode()
    assert "deleted" in page and not WebhookEndpoint.objects.exists()
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == ["webhook.secret_rotated", "webhook.deleted"]


# --- the audit log


def test_the_audit_log_reads_as_sentences_without_dicts(client, project, owner, viewer):
    client.force_login(owner)
    client.post(f"/projects/{project.pk}/members/{viewer.pk}/role/", {"role": "editor"})
    client.post(settings_url(project), {"form": "budget", "budget-monthly_budget_usd": "25", "budget-budget_alert_percent": ""})
    client.post(settings_url(project), {"form": "review", "review-decider_roles": ["owner"], "review-approvals_required": "1", "review-four_eyes": "on"})

    page = client.get(f"/projects/{project.pk}/audit/").content.decode()

    assert f"{owner.username} changed {viewer.username}&#x27;s role from viewer to editor." in page
    assert f"{owner.username} changed the budget: monthly budget $25.00 (was none)." in page
    assert f"{owner.username} changed the review policy: who may decide owner (was reviewer, owner)." in page
    assert "{&#x27;" not in page and "{'" not in page


def test_rest_sets_the_alert_threshold_within_1_to_100(api, project, owner):
    response = api(owner).patch(f"/api/v1/projects/{project.pk}/", {"monthly_budget_usd": "20.00", "budget_alert_percent": 90}, format="json")
    assert response.status_code == 200 and response.json()["budget_alert_percent"] == 90
    refused = api(owner).patch(f"/api/v1/projects/{project.pk}/", {"budget_alert_percent": 0}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "budget_alert_percent"
    assert Project.objects.get(pk=project.pk).budget_alert_percent == 90


def test_owner_renames_the_project_and_changes_its_brief(client, project, owner):
    client.force_login(owner)
    response = client.post(settings_url(project), {"form": "project", "project-name": "Acme Coffee EU", "project-brief": "Warm, earthy."}, follow=True)
    assert "Name and brief saved." in response.content.decode()
    project.refresh_from_db()
    assert (project.name, project.brief) == ("Acme Coffee EU", "Warm, earthy.")
    event = AuditEvent.objects.get(action="project.changed")
    assert event.after == {"name": "Acme Coffee EU", "brief": "Warm, earthy."}

    response = client.post(settings_url(project), {"form": "project", "project-name": "", "project-brief": "x" * 4001})
    page = response.content.decode()
    assert response.status_code == 400 and "This field is required." in page and "this one has 4001" in page


@pytest.mark.parametrize("action", AuditAction.values)
def test_every_audit_action_reads_as_a_sentence(action):
    event = AuditEvent(actor_name="olga", action=action, target="rita",
                  before={"role": "viewer", "palette": [{"name": "Teal", "hex": "#0F8B8D"}], "four_eyes": True},
                  after={"role": "editor", "palette": [], "four_eyes": False, "checks": ["copy"], "waiver": "ok", "events": ["a.b"]})
    sentence = describe(event)
    shown = sentence + " ".join(f"{field} {new} {old}" for field, new, old in values_beyond_the_sentence(event))
    assert sentence.startswith(("olga", "rita")) and sentence.endswith((".", "”.")), sentence
    assert "{" not in shown and "[" not in shown, shown
