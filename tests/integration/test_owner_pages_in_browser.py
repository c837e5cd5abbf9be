"""Issue 27 "Members and keys on the pages" and issue 28 item 14 "Owner settings on the pages", in
a real browser under the Content Security Policy: an owner invites from the Members page, withdraws
another invitation, is refused demoting the last owner, makes an API key (shown once, copied) and
revokes it, adds a webhook and rotates its secret, sets the budget and its alert; the invited person
lands on the invitation page, creates an account with the invited address and joins. Every page is
checked at 1440 and 390 px (no sideways scroll, no serious axe-core violation) and photographed."""

import re
from decimal import Decimal

import pytest
from django.core import mail
from playwright.sync_api import expect

from apps.apikeys.models import ApiKey
from apps.generations.models import Generation
from apps.projects.invitations import invitation_send
from apps.projects.models import Invitation, Membership, Project
from apps.webhooks.models import WebhookEndpoint
from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_pages_in_browser import log_in

pytestmark = [pytest.mark.integration, pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage")]


def token_from(message) -> str:
    return re.search(r"/invitations/([\w-]+)/", message.body).group(1)


def test_owner_runs_members_keys_webhooks_and_budget_on_the_pages(browser_page, chromium, person, live_server, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())
    project = ProjectFactory(name="Acme Coffee")
    olga = person(project, "owner", "olga")
    olga.email = "olga@example.com"
    olga.save(update_fields=["email"])
    person(project, "editor", "eddie")
    Generation.objects.create(project=project, prompt="a kite", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1",
                              image_size="1K", created_by=olga, status="succeeded", cost_usd=Decimal("8.00"))
    log_in(page, "olga")
    page.goto(f"/projects/{project.pk}/")

    # Members: invite two, withdraw one.
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Settings").click()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Members").click()
    expect(page.get_by_role("heading", name="Members", exact=True)).to_be_visible()
    for email, role in (("carla@example.com", "reviewer"), ("dan@example.com", "viewer")):
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Role", exact=True).select_option(role)
        page.get_by_role("button", name="Send invitation").click()
        expect(page.get_by_role("status")).to_contain_text(f"Invitation sent to {email} as {role}")
    invitations = page.locator("#invitations tbody tr")
    expect(invitations).to_have_count(2)
    page.get_by_role("button", name="Withdraw the invitation to dan@example.com").click()
    expect(page.get_by_role("status")).to_contain_text("The invitation to dan@example.com was withdrawn")
    expect(invitations).to_have_count(1)
    expect(invitations.first).to_contain_text("carla@example.com")
    assert Invitation.objects.get(email="dan@example.com").withdrawn_at is not None

    # The last owner cannot step down.
    page.get_by_label("Role of olga").select_option("editor")
    page.get_by_role("button", name="Change role of olga").click()
    expect(page.get_by_role("status")).to_contain_text("olga stays owner: A project must keep at least one owner")
    assert Membership.objects.get(project=project, user=olga).role == "owner"

    # API keys: made, shown once, copied; then revoked.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API keys").click()
    page.get_by_label("Name").fill("CMS export")
    page.get_by_label("Role").select_option("editor")
    page.get_by_role("button", name="Make key").click()
    shown = page.get_by_label("The new API key")
    expect(shown).to_have_value(re.compile(r"^bip_"))
    page.get_by_role("button", name="Copy").click()
    expect(page.locator('[data-copied-for="new-key-value"]')).to_have_text("Copied.")
    assert page.evaluate("navigator.clipboard.readText()") == shown.input_value()
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="API keys").click()
    expect(page.get_by_label("The new API key")).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke CMS export").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    expect(page.locator("#keys")).to_contain_text("Revoked")
    assert ApiKey.objects.get(name="CMS export").revoked_at is not None

    # Webhooks: add (secret shown once), send a test, rotate.
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Webhooks").click()
    page.get_by_label("Receiver URL").fill("http://127.0.0.1:9/hook")
    page.get_by_label("project.budget_alert").check()
    page.get_by_role("button", name="Add webhook").click()
    endpoint = WebhookEndpoint.objects.get(project=project)
    expect(page.get_by_label("The signing secret")).to_have_value(endpoint.secret)
    page.get_by_role("button", name="Send a test to http://127.0.0.1:9/hook").click()
    expect(page.locator(f"#endpoint-{endpoint.pk} .deliveries")).to_contain_text("webhook.test")
    page.get_by_role("button", name="Rotate secret of http://127.0.0.1:9/hook").click()
    endpoint.refresh_from_db()
    expect(page.get_by_label("The signing secret")).to_have_value(endpoint.secret)

    # Budget: the month's spend against it; an alert threshold already passed alerts at once.
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="General").click()
    page.get_by_label("Monthly budget (USD)").fill("10")
    page.get_by_label("Alert at (% of the budget)").fill("75")
    page.get_by_role("button", name="Save budget").click()
    expect(page.locator("#spend")).to_contain_text("$8.00 of $10.00 spent this month (80.0%); $2.00 left.")
    expect(page.locator("#spend .meter.alerting")).to_be_visible()
    assert page.locator("#spend .bar").evaluate("bar => bar.style.width") == "80%"
    assert [m.to for m in mail.outbox if "budget" in m.subject] == [["olga@example.com"]]
    assert Project.objects.get(pk=project.pk).budget_alert_sent_for is not None

    # The audit log says it in sentences.
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Audit log").click()
    audit = page.locator("#audit")
    expect(audit).to_contain_text("olga invited carla@example.com as reviewer.")
    expect(audit).to_contain_text("olga withdrew the invitation to dan@example.com (viewer).")
    expect(audit).to_contain_text("olga revoked the API key CMS export")
    expect(audit).to_contain_text("olga changed the budget: monthly budget $10.00 (was none); budget alert 75% (was none).")
    assert not page.csp_violations

    # Carla lands on the invitation, makes an account with the invited address and joins.
    token = token_from(next(m for m in mail.outbox if m.to == ["carla@example.com"]))
    visitor = chromium.new_context(base_url=live_server.url, viewport=PHONE)
    try:
        carla = visitor.new_page()
        carla.goto(f"/invitations/{token}/")
        expect(carla.get_by_role("heading", name="Join Acme Coffee")).to_be_visible()
        expect(carla.locator(".facts")).to_contain_text("c•••@example.com")
        expect(carla.locator(".facts")).to_contain_text("olga")
        carla.get_by_label("Username").fill("carla")
        carla.get_by_label("Password", exact=True).fill("a long pass phrase 42")
        carla.get_by_label("Password confirmation").fill("a long pass phrase 42")
        carla.get_by_role("button", name="Create account and join").click()
        expect(carla.get_by_role("status")).to_contain_text("you joined Acme Coffee as reviewer")
        carla.get_by_role("button", name="Menu").click()  # a phone's header keeps the sections behind Menu
        expect(carla.get_by_role("navigation", name="Project").get_by_role("link", name="Members")).to_be_visible()
    finally:
        visitor.close()
    assert Membership.objects.get(project=project, user__username="carla").role == "reviewer"

    # Every page at both widths: no sideways scroll, no serious axe-core violation; photographed.
    mail.outbox.clear()
    invitation_send(project=project, email="frank@example.com", role="viewer", actor=olga,
                    accept_url=lambda token: f"{live_server.url}/invitations/{token}/")
    frank_token = token_from(mail.outbox[-1])
    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            wide = context.new_page()
            wide.goto(f"/invitations/{frank_token}/")
            check_page(wide, "invitation")
            log_in(wide, "olga")
            for name, path in (("members", f"/projects/{project.pk}/members/"), ("settings", f"/projects/{project.pk}/settings/"),
                               ("api-keys", f"/projects/{project.pk}/settings/api-keys/"),
                               ("webhooks", f"/projects/{project.pk}/settings/webhooks/"), ("audit-log", f"/projects/{project.pk}/audit/")):
                wide.goto(path)
                check_page(wide, name)
            wide.goto(f"/projects/{project.pk}/settings/api-keys/")
            wide.get_by_label("Name").fill("DAM sync")
            wide.get_by_role("button", name="Make key").click()
            expect(wide.get_by_label("The new API key")).to_be_visible()
            check_page(wide, "api-key-shown-once")
            wide.goto(f"/invitations/{frank_token}/")
            expect(wide.locator("#wrong-account")).to_contain_text("This invitation was sent to f•••@example.com, but you are signed in as olga")
            check_page(wide, "invitation-wrong-account")
            if viewport == PHONE:
                wide.get_by_role("button", name="Menu").click()  # a phone's header keeps the account links behind Menu
            wide.get_by_role("banner").get_by_role("button", name="Log out").click()
            log_in(wide, "eddie")
            wide.goto(f"/projects/{project.pk}/members/")
            check_page(wide, "members-as-editor")
        finally:
            context.close()
