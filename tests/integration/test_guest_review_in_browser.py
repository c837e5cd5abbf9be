"""A guest reviews from a link in Chromium: says who they are, sees the link's images, compares
with the previous version, pins a comment by clicking the image, and requests changes. The
owners' review links page too; both at 1440 and 390 px (no sideways scroll, no serious
accessibility problem)."""

import pytest
from playwright.sync_api import expect

from apps.approvals.models import Comment, Review
from apps.guests.services import ReviewLinkInput, review_link_create
from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory, stored_asset
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_pages_in_browser import log_in

pytestmark = [pytest.mark.integration, pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage")]


def check_at_both_widths(chromium, live_server, cookies, url: str, name: str) -> None:
    """check_page at 1440 and 390 px in a context carrying `cookies` (axe-core runs under the pages' own CSP)."""
    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        context.add_cookies(cookies)
        try:
            page = context.new_page()
            page.goto(url)
            check_page(page, name)
        finally:
            context.close()


def test_a_guest_reviews_from_a_link(browser_page, chromium, person, live_server):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    owner = person(project, "owner", "olga")
    maker = person(project, "editor", "eddie")
    original = stored_asset(project, user=maker, width=800, height=600)
    edited = stored_asset(project, user=maker, width=800, height=600, parents=[(original, "edited_from")])
    second = stored_asset(project, user=maker, width=600, height=800)
    link, token = review_link_create(project=project, user=owner, data=ReviewLinkInput(
        label="Agency Blau", assets=[edited.pk, second.pk], actions=["comment", "decide"]))

    page.goto(f"/r/{token}/")
    expect(page.get_by_role("heading", name="Review for Agency Blau")).to_be_visible()
    assert page.locator('meta[name="robots"]').get_attribute("content") == "noindex, nofollow"
    page.get_by_label("Name").fill("Bea Blau")
    page.get_by_label("Email").fill("bea@agency.example")
    page.get_by_role("button", name="Start reviewing").click()

    expect(page.get_by_role("heading", name="Acme Coffee: 2 images to review")).to_be_visible()
    check_at_both_widths(chromium, live_server, page.context.cookies(), f"/r/{token}/", "guest-review-grid")
    page.locator(".guest-grid a").first.click()
    expect(page.get_by_text("Previous version", exact=True)).to_be_visible()
    image = page.locator("[data-pin-area] img")
    box = image.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] * 0.5)
    expect(page.get_by_text("Pinned to the spot you clicked")).to_be_visible()
    page.get_by_label("Comment", exact=True).fill("Move the cup to the left.")
    page.get_by_role("button", name="Add comment").click()
    expect(page.get_by_role("status")).to_contain_text("Comment added.")
    expect(page.locator(".pin-area .pin:not(.new)")).to_have_count(1)

    page.get_by_label("Request changes").check()
    page.locator("textarea[name=comment]").fill("The cup hides the logo.")
    page.get_by_role("button", name="Send decision").click()
    expect(page.get_by_role("status")).to_contain_text("Recorded: request changes.")
    expect(page.get_by_text("Changes requested").first).to_be_visible()
    check_at_both_widths(chromium, live_server, page.context.cookies(), page.url.removeprefix(live_server.url), "guest-review-asset")

    comment = Comment.objects.get()
    assert comment.guest["name"] == "Bea Blau" and abs(comment.pin["x"] - 0.25) < 0.02 and abs(comment.pin["y"] - 0.5) < 0.02
    assert Review.objects.get().decided_by == 'guest: Bea Blau <bea@agency.example> via "Agency Blau"'

    # The owner sees the link on their page and revokes it; the guest's next click answers 410.
    guest_page = page
    owner_context = page.context.browser.new_context(base_url=live_server.url)
    owner_page = owner_context.new_page()
    log_in(owner_page, "olga")
    owner_page.goto(f"/projects/{project.pk}/review-links/")
    expect(owner_page.get_by_role("cell", name="Agency Blau")).to_be_visible()
    check_at_both_widths(chromium, live_server, owner_context.cookies(), f"/projects/{project.pk}/review-links/", "review-links-page")
    owner_page.get_by_role("button", name="Revoke").click()
    expect(owner_page.get_by_role("status")).to_contain_text("revoked")
    owner_context.close()
    response = guest_page.goto(f"/r/{token}/")
    assert response.status == 410
    expect(guest_page.get_by_role("heading", name="This link no longer works")).to_be_visible()
