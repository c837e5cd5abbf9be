"""Issue 27 in a real browser: an owner assigns a campaign stage to a reviewer with a due date;
the reviewer, with a page already open, sees the bell count rise without reloading, opens "Waiting
on me", decides both drafts in another tab, and the first tab's bell drops, still without a reload.
The bell, the notifications page and the settings page are checked at 1440 and 390 px."""

import pytest
from playwright.sync_api import expect

from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_pages_in_browser import log_in
from tests.workflow.helpers import campaign_with_drafts

pytestmark = [pytest.mark.integration, pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage")]


def test_assign_a_stage_then_the_reviewers_bell_follows_without_reloading(browser_page, chromium, person, live_server, settings):
    settings.BELL_POLL_SECONDS = 1
    owner_page = browser_page
    project = ProjectFactory(name="Acme Running")
    person(project, "owner", "olga")
    editor = person(project, "editor", "eddie")
    person(project, "reviewer", "rita")
    campaign = campaign_with_drafts(project, editor, drafts=2)

    # The reviewer has a page open before anything is assigned.
    reviewer = chromium.new_context(base_url=live_server.url, viewport=DESKTOP)
    rita = reviewer.new_page()
    log_in(rita, "rita")
    bell = rita.locator("#bell .bell-count")
    expect(bell).to_have_text("0")

    log_in(owner_page, "olga")
    owner_page.goto(f"/campaigns/{campaign.pk}/")
    stage = owner_page.locator("#stage-drafts")
    stage.get_by_label("rita").check()
    stage.get_by_label("Due").fill("2099-06-30T17:00")
    stage.get_by_label("Note").fill("Before the shoot")
    stage.get_by_role("button", name="Assign").click()
    expect(owner_page.locator(".messages")).to_contain_text("Assigned 2 assets to rita.")
    expect(owner_page.locator("#stage-drafts .assigned")).to_contain_text("rita · due 2099-06-30 17:00 (UTC)")

    expect(bell).to_have_text("1", timeout=10_000)  # polled: no reload
    url_before = rita.url

    # "Waiting on me" in a second tab; deciding both drafts there.
    work = reviewer.new_page()
    work.goto(f"/projects/{project.pk}/")
    expect(work.locator('[data-count="waiting"]')).to_have_text("2")
    work.get_by_role("link", name="waiting on me").click()
    expect(work.get_by_role("heading", name="Assignments")).to_be_visible()
    tiles = work.locator(".grid .tile a")
    expect(tiles).to_have_count(2)
    for _ in range(2):
        work.goto(f"/projects/{project.pk}/assignments/?view=waiting")
        work.locator(".grid .tile a").first.click()
        work.get_by_role("button", name="Approve").first.click()
        expect(work.locator(".messages")).to_contain_text("Approved")
    work.goto(f"/projects/{project.pk}/assignments/?view=waiting")
    expect(work.get_by_text("Nothing waits on you here.")).to_be_visible()

    expect(bell).to_have_text("0", timeout=10_000)  # the first tab's bell dropped without a reload
    assert rita.url == url_before
    reviewer.close()


def test_notifications_and_settings_pages_at_both_widths(browser_page, chromium, live_server, person):
    from apps.workflow.models import Event
    from apps.workflow.notifications import notify

    page = browser_page
    project = ProjectFactory(name="Acme Running")
    rita = person(project, "reviewer", "rita")
    for n in range(3):
        notify(user=rita, event=Event.MENTIONED, project=project, url=f"/projects/{project.pk}/",
               text=f"eddie mentioned you on “A very long asset title number {n} that has to wrap on a phone screen”: “@rita the logo”")
    for size in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=size)
        try:
            shown = context.new_page()
            log_in(shown, "rita")
            shown.goto("/notifications/")
            expect(shown.locator("#bell .bell-count")).to_have_text("3")
            check_page(shown, "notifications")
            shown.goto("/notifications/settings/")
            check_page(shown, "notification-settings")
            shown.goto(f"/projects/{project.pk}/assignments/?view=waiting")
            check_page(shown, "assignments")
        finally:
            context.close()

    log_in(page, "rita")
    page.goto("/notifications/")
    page.get_by_role("button", name="Mark read").first.click()
    expect(page.locator("#bell .bell-count")).to_have_text("2")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#bell .bell-count")).to_have_text("0")
    page.goto("/notifications/settings/")
    page.get_by_label("Mentioned in a comment").select_option("daily")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Notification settings saved.")
    expect(page.get_by_label("Mentioned in a comment")).to_have_value("daily")


@pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["1440", "390"])
def test_an_editor_assigns_a_gallery_selection(chromium, live_server, person, size):
    from apps.workflow.models import AssignmentItem
    from tests.factories import stored_asset

    project = ProjectFactory(name="Acme Running")
    editor = person(project, "editor", "eddie")
    person(project, "reviewer", "rita")
    for _ in range(3):
        stored_asset(project, user=editor, width=320, height=240)
    context = chromium.new_context(base_url=live_server.url, viewport=size)
    try:
        page = context.new_page()
        log_in(page, "eddie")
        page.goto(f"/projects/{project.pk}/gallery/")
        boxes = page.locator("input[form=bulk-form][name=assets]")
        boxes.nth(0).check(force=True)
        boxes.nth(1).check(force=True)
        bar = page.locator("#bulk-form")
        bar.get_by_text("Assign the selection…").click()
        bar.get_by_label("rita").check()
        bar.get_by_label("Due").fill("2099-02-01T09:00")
        check_page(page, "gallery-assign")
        bar.get_by_role("button", name="Assign selected").click()
        expect(page.locator(".messages")).to_contain_text("Assigned 2 assets to rita.")
        assert AssignmentItem.objects.filter(assignee__username="rita").count() == 2
    finally:
        context.close()
