"""Brand checks on the pages, in a real browser: the asset page's Checks panel with the copy diff,
the text and logo boxes drawn over the image on hover (scaled to the size shown), and the campaign
grid's "only failing" filter. Readings are written as the checks worker leaves them."""

import pytest
from playwright.sync_api import expect

from apps.assets.models import Asset
from tests.campaigns.helpers import campaign_body, library
from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory, asset_check, stored_asset
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_pages_in_browser import log_in

pytestmark = [pytest.mark.integration, pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage")]

TEXT_BOX = [100, 50, 200, 40]
LOGO_BOX = [500, 400, 80, 60]
READING = [
    {"check": "copy", "outcome": "fail", "message": "The text differs from the expected copy in 1 place(s).",
     "figures": {"expected": "Shop now", "read": "Shop nwo", "similarity": 0.875, "source": "campaign copy (de)",
                 "diff": [{"op": "equal", "expected": ["shop"], "read": ["shop"]}, {"op": "changed", "expected": ["now"], "read": ["nwo"]}]},
     "boxes": [TEXT_BOX]},
    {"check": "palette", "outcome": "warn", "message": "The main colour #2E8B57 is off brand (nearest Teal, ΔE2000 14.27).",
     "figures": {"dominant": [{"hex": "#2E8B57", "share": 0.62, "nearest": "Teal", "nearest_hex": "#0F8B8D", "delta_e": 14.27, "on_brand": False}],
                 "tolerance": 10.0, "min_brand_share": None, "share_on_brand": 0.0}, "boxes": []},
    {"check": "logo", "outcome": "pass", "message": "The logo is in the image.", "figures": {}, "boxes": [LOGO_BOX]},
    {"check": "size", "outcome": "pass", "message": "640×480; no size was requested (an upload).", "figures": {}, "boxes": []},
]


def box_of(locator) -> dict:
    return locator.bounding_box()


def test_checks_panel_diff_and_boxes_on_hover(browser_page, chromium, person, live_server):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    person(project, "reviewer", "rita")
    asset = stored_asset(project, user=person(project, "editor", "eddie"), width=640, height=480)
    asset_check(asset, results=READING)
    log_in(page, "rita")

    page.goto(f"/assets/{asset.pk}/")

    panel = page.locator("#checks")
    expect(panel.locator(".badge.checks-failed")).to_have_text("Checks failed")
    expect(panel.locator("#check-copy .outcome")).to_have_text("Fail")
    expect(panel.locator("#check-copy mark.diff-changed")).to_have_text(["now", "nwo"])
    expect(panel.locator("#check-palette .chip").first).to_have_css("background-color", "rgb(46, 139, 87)")
    overlay = page.locator(".check-overlay")
    expect(overlay).to_be_hidden()

    image = page.locator("[data-checks-image]")
    image.hover()
    expect(overlay).to_be_visible()
    shown = box_of(image)
    scale = min(shown["width"] / 640, shown["height"] / 480)
    left = shown["x"] + (shown["width"] - 640 * scale) / 2
    top = shown["y"] + (shown["height"] - 480 * scale) / 2
    for selector, (x, y, w, h) in ((".check-box.text", TEXT_BOX), (".check-box.logo", LOGO_BOX)):
        drawn = box_of(page.locator(selector))
        assert abs(drawn["x"] - (left + x * scale)) <= 2 and abs(drawn["y"] - (top + y * scale)) <= 2, (selector, drawn, shown)
        assert abs(drawn["width"] - w * scale) <= 2 and abs(drawn["height"] - h * scale) <= 2, (selector, drawn, shown)

    # Pointing at a check shows its own boxes only.
    panel.locator("#check-copy").hover()
    expect(page.locator(".check-box.text")).to_be_visible()
    expect(page.locator(".check-box.logo")).to_be_hidden()
    page.mouse.move(0, 0)
    expect(overlay).to_be_hidden()
    # Keyboard and touch: the toggle keeps them on.
    panel.get_by_role("button", name="Show boxes").click()
    expect(overlay).to_be_visible()
    expect(panel.get_by_role("button", name="Hide boxes")).to_have_attribute("aria-pressed", "true")
    assert not page.csp_violations

    for viewport in (DESKTOP, PHONE):
        # Under the real Content-Security-Policy: axe-core comes as a same-origin script file (browser.load_axe).
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            wide = context.new_page()
            log_in(wide, "rita")
            wide.goto(f"/assets/{asset.pk}/#checks")
            check_page(wide, "asset-checks")
        finally:
            context.close()


def test_campaign_grid_shows_only_failing_versions(browser_page, person, live_server, upstream, checks_inline, run_tasks_inline):
    from rest_framework.test import APIClient

    page = browser_page
    project = ProjectFactory(name="Trail Co")
    editor = person(project, "editor", "eddie")
    person(project, "reviewer", "rita")
    character, products = library(project, products=2)
    api = APIClient()
    api.force_authenticate(editor)
    campaign_id = api.post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products, variations=1), format="json").json()["id"]
    assert api.post(f"/api/v1/campaigns/{campaign_id}/run/", {"stage": "drafts"}, format="json").status_code == 201
    good, bad = Asset.objects.filter(generation__campaign_job__stage="drafts").order_by("created_at")
    asset_check(good)
    asset_check(bad, failed=("copy", "spelling"))
    log_in(page, "rita")

    page.goto(f"/campaigns/{campaign_id}/")
    expect(page.locator("#grid a.ctile")).to_have_count(2)
    expect(page.locator("#grid .badge.checks-passed")).to_have_count(1)
    page.get_by_role("link", name="only failing checks").click()

    expect(page).to_have_url(f"{live_server.url}/campaigns/{campaign_id}/?checks=failed")
    expect(page.locator("#grid a.ctile")).to_have_count(1)
    expect(page.locator(f'#grid a.ctile[data-asset="{bad.pk}"] .badge.checks-failed')).to_have_attribute("title", "Copy, Spelling")
    expect(page.locator("#only-failing")).to_have_attribute("aria-current", "true")
    page.get_by_role("link", name="all versions").click()
    expect(page.locator("#grid a.ctile")).to_have_count(2)
    assert not page.csp_violations


def test_brand_kit_page_owner_edits_and_chips_follow_the_typing(browser_page, chromium, person, live_server):
    from apps.checks.models import BrandKit

    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    person(project, "owner", "olga")
    BrandKit.objects.create(project=project, palette=[{"name": "Teal", "hex": "#0F8B8D", "role": "primary"},
                                                      {"name": "Sand", "hex": "#E8D8B0", "role": "secondary"}],
                            terms={"de": {"required": ["Jetzt"], "forbidden": ["gratis"]}}, forbidden_colours=["#FF0000"])
    log_in(page, "olga")
    page.goto(f"/projects/{project.pk}/")
    page.get_by_role("navigation", name="Project").get_by_role("link", name="Brand kit").click()

    expect(page.get_by_role("heading", name="Brand kit")).to_be_visible()
    chip = page.locator('[data-chip-for="palette-2-hex"]')
    page.get_by_label("Name of colour 3").fill("Coral")
    page.get_by_label("Hex of colour 3").fill("#FF7F50")
    expect(chip).to_have_css("background-color", "rgb(255, 127, 80)")
    page.get_by_label("Role of colour 3").select_option("accent")
    page.get_by_label("Checks must pass before approval").check()
    page.get_by_role("button", name="Save brand kit").click()

    expect(page.locator(".messages")).to_contain_text("Brand kit saved (v2).")
    kit = BrandKit.objects.get(project=project)
    assert kit.palette[-1] == {"name": "Coral", "hex": "#FF7F50", "role": "accent"}
    assert not page.csp_violations

    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            wide = context.new_page()
            log_in(wide, "olga")
            wide.goto(f"/projects/{project.pk}/brand-kit/")
            check_page(wide, "brand-kit")
        finally:
            context.close()
