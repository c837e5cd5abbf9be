"""Issue 28 "Everywhere" items on the pages, in Debian's Chromium at 1440x900 and 390x844 under
the real Content-Security-Policy: the lightbox's Fit (10), web-size images (11), review first for
deciders with a decide bar on phones (13); each page also passes axe-core (browser.check_page)."""

import re
import time

import pytest
from django.test import Client
from playwright.sync_api import expect

from apps.approvals.models import Review
from tests.factories import ProjectFactory, member, stored_asset
from tests.integration.browser import DESKTOP, PHONE, check_page

pytestmark = pytest.mark.integration
WIDTHS = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])


def until(page, expression: str, timeout: float = 15) -> None:
    """Wait for a JavaScript expression to be true (page.wait_for_function evaluates strings in
    the page, which the site's CSP rightly refuses; page.evaluate goes through the debugger)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(100)


@pytest.fixture
def team(transactional_db):
    project = ProjectFactory(name="Acme Coffee")
    owner, editor, reviewer = member(project, "owner", "olga"), member(project, "editor", "erin"), member(project, "reviewer", "rita")
    tall = stored_asset(project, user=editor, width=2160, height=3840)  # a 9:16 4K image
    return {"project": project, "owner": owner, "editor": editor, "reviewer": reviewer, "tall": tall}


@pytest.fixture
def browse(chromium, live_server):
    contexts = []

    def open_page(user, size):
        context = chromium.new_context(base_url=live_server.url, viewport=size)  # the site's own CSP applies
        context.set_default_timeout(15_000)
        contexts.append(context)
        client = Client()
        client.force_login(user)
        context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.csp_violations = []
        page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
        page.images = []
        page.on("response", lambda response: "/api/v1/assets/" in response.url and page.images.append(response.url))
        return page

    yield open_page
    for context in contexts:
        context.close()


@WIDTHS
def test_10_11_the_lightbox_fits_a_tall_4k_image_whole_from_its_web_size_copy(team, browse, size):
    tall = team["tall"]
    page = browse(team["editor"], size)
    page.goto(f"/assets/{tall.pk}/")
    shown = page.locator(".stage img.asset-image")
    expect(shown).to_have_attribute("src", f"/api/v1/assets/{tall.pk}/display/")
    until(page, "document.querySelector('.stage img.asset-image').naturalHeight > 0")
    assert page.evaluate("document.querySelector('.stage img.asset-image').naturalHeight") == 1600  # not the 3840 px file
    assert not any(url.endswith(f"/assets/{tall.pk}/file/") for url in page.images)
    check_page(page, "asset-tall")

    shown.click()
    dialog = page.locator("dialog.lightbox")
    expect(dialog).to_be_visible()
    image = dialog.locator(".lb-view img")
    until(page, "document.querySelector('dialog.lightbox .lb-view img').naturalHeight > 0")
    assert image.get_attribute("src").endswith("/display/")
    box, bar = image.bounding_box(), dialog.locator(".lb-bar").bounding_box()
    # Fit: the whole image inside the window under the bar, its height capped, its shape kept.
    assert box["y"] >= bar["y"] + bar["height"] - 1 and box["y"] + box["height"] <= size["height"] + 1
    assert box["x"] >= -1 and box["x"] + box["width"] <= size["width"] + 1
    assert abs(box["width"] / box["height"] - 9 / 16) < 0.02
    assert box["height"] >= size["height"] - bar["height"] - 20 or box["width"] >= size["width"] - 20  # fills one way
    expect(dialog.get_by_role("link", name="Full size file")).to_have_attribute("href", re.compile(f"/api/v1/assets/{tall.pk}/file/$"))
    check_page(page, "lightbox-tall")

    dialog.get_by_role("button", name="Zoom in").click()  # 1:1 is the stored file's own pixels
    until(page, "document.querySelector('dialog.lightbox .lb-view img').naturalHeight === 3840")
    page.keyboard.press("0")
    assert dialog.locator(".lb-view img").bounding_box()["height"] <= size["height"]
    assert not page.csp_violations


@WIDTHS
def test_13_deciders_review_first_and_on_a_phone_the_decide_bar_stays_at_hand(team, browse, size):
    tall = team["tall"]
    page = browse(team["owner"], size)  # may decide (erin made it) and may generate: both sections show
    page.goto(f"/assets/{tall.pk}/")
    review, make_more = page.get_by_role("heading", name="Review", exact=True), page.get_by_role("heading", name="Make more from it")
    assert review.bounding_box()["y"] < make_more.bounding_box()["y"]
    bar = page.locator(".decide-bar")
    if size == PHONE:
        expect(bar).to_be_visible()
        page.mouse.wheel(0, 4000)
        page.wait_for_timeout(200)
        box = bar.bounding_box()
        assert box["y"] + box["height"] <= size["height"] + 1 and box["y"] >= size["height"] - 120  # fixed at the bottom
    else:
        expect(bar).to_be_hidden()
    check_page(page, "asset-decider")
    if size == PHONE:
        bar.get_by_role("button", name="Approve").click()
    else:
        page.locator("#decision-form").get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("#review-status")).to_have_text("Approved")
    assert list(Review.objects.values_list("decision", flat=True)) == ["approve"]

    editor = browse(team["editor"], size)  # may not decide: no review block, no bar
    editor.goto(f"/assets/{tall.pk}/")
    expect(editor.get_by_role("heading", name="Make more from it")).to_be_visible()
    expect(editor.locator(".decide-bar")).to_have_count(0)
    expect(editor.locator("#decision-form")).to_have_count(0)
    assert not page.csp_violations and not editor.csp_violations


@WIDTHS
def test_16_the_phone_header_is_one_line_with_a_menu(team, browse, size):
    page = browse(team["reviewer"], size)
    page.goto(f"/projects/{team['project'].pk}/review/")
    header = page.locator("header.site")
    nav = page.get_by_role("navigation", name="Project")
    if size == DESKTOP:
        expect(page.get_by_role("button", name="Menu")).to_be_hidden()
        expect(nav.get_by_role("link", name="Gallery")).to_be_visible()
        return
    assert header.bounding_box()["height"] < 70  # one line: the brand and Menu
    expect(nav).to_be_hidden()
    menu = page.get_by_role("button", name="Menu")
    expect(menu).to_have_attribute("aria-expanded", "false")
    check_page(page, "phone-menu-closed")
    menu.click()
    expect(page.get_by_role("button", name="Close menu")).to_have_attribute("aria-expanded", "true")
    nav.get_by_role("link", name="Gallery").click()
    expect(page).to_have_url(re.compile(r"/gallery/$"))
    assert not page.csp_violations
