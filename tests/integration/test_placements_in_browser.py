"""The Placements panel in a real browser: loaded after the asset page, previews made on first view,
the focal point set by a click on the image, a crop and its safe zones drawn over it."""

import pytest
from playwright.sync_api import expect

from apps.assets.models import Asset
from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory
from tests.integration.test_pages_in_browser import log_in
from tests.placements.helpers import photo_asset

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage"),
]


def test_an_editor_clicks_the_focal_point_and_sees_a_placement_s_crop_and_safe_zones(browser_page, person, live_server):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    editor = person(project, "editor", "eve")
    asset = photo_asset(project, 900, 1600, user=editor)
    log_in(page, "eve")

    page.goto(f"/assets/{asset.pk}/")
    panel = page.locator("#placements")
    expect(panel.get_by_text("IAB leaderboard 728×90")).to_be_visible(timeout=20_000)
    story = panel.locator("#placement-meta_story")
    expect(story).to_contain_text("1080×1920 px")
    expect(story.get_by_role("link", name="Download")).to_have_attribute("href", f"/api/v1/assets/{asset.pk}/placements/meta_story/")
    # The preview is the placement file itself, made on this first view.
    expect(story.locator("img")).to_have_js_property("naturalWidth", 1080, timeout=20_000)

    panel.get_by_role("button", name="Set focal point by clicking the image").click()
    image = page.locator("img.asset-image")
    # The picture is letterboxed inside the img's box (object-fit: contain): click on the picture itself.
    pic = image.evaluate(
        "i => { const s = Math.min(i.clientWidth / i.naturalWidth, i.clientHeight / i.naturalHeight);"
        " const w = i.naturalWidth * s, h = i.naturalHeight * s; return {x: (i.clientWidth - w) / 2, y: (i.clientHeight - h) / 2, w, h}; }"
    )
    image.click(position={"x": pic["x"] + pic["w"] * 0.25, "y": pic["y"] + pic["h"] * 0.75})
    expect(page.locator("#placements")).to_contain_text("Focal point set", timeout=10_000)
    asset.refresh_from_db()
    assert abs(asset.focal_point["x"] - 0.25) < 0.02 and abs(asset.focal_point["y"] - 0.75) < 0.02
    expect(page.locator(".focal-marker")).to_have_count(1)

    page.locator("#placement-iab_leaderboard").get_by_role("button", name="Show crop").click()
    expect(page.locator(".placement-crop")).to_have_count(1)
    page.locator("#placement-meta_story").get_by_role("button", name="Show crop").click()
    expect(page.locator(".placement-zone")).to_have_count(2)  # top 14% and bottom 20%
    assert Asset.objects.get(pk=asset.pk).focal_point is not None


def test_the_lightbox_overlays_a_placement_s_crop_and_safe_zones_on_the_image(browser_page, person, live_server, chromium):
    """Issue 30: looking at the image large, a placement's crop and its safe zones drawn over it."""
    from tests.integration.browser import DESKTOP, PHONE, check_page

    project = ProjectFactory(name="Acme Coffee")
    editor = person(project, "editor", "eve")
    asset = photo_asset(project, 1600, 1600, user=editor)

    def open_with_story_crop(page):
        page.goto(f"/assets/{asset.pk}/")
        expect(page.locator("#placements").get_by_text("IAB leaderboard 728×90")).to_be_visible(timeout=20_000)
        page.locator(".stage img.asset-image").click(position={"x": 8, "y": 8})
        viewer = page.get_by_role("dialog", name="Image viewer")
        expect(viewer.locator(".lb-view img")).to_have_js_property("complete", True)
        viewer.get_by_label("Placement crop").select_option("meta_story")
        expect(viewer.locator(".placement-crop")).to_have_count(1)
        expect(viewer.locator(".placement-zone")).to_have_count(2)  # top 14% and bottom 20%
        return viewer

    page = browser_page
    log_in(page, "eve")
    page.set_viewport_size({"width": 1280, "height": 900})
    viewer = open_with_story_crop(page)
    # A 9:16 crop of a square image: the full height, 9/16 of the width, inside the picture shown.
    shown = viewer.locator(".lb-view img").bounding_box()
    crop = viewer.locator(".placement-crop").bounding_box()
    assert abs(crop["height"] - shown["height"]) <= 2 and abs(crop["width"] - shown["width"] * 1080 / 1920) <= 3
    assert shown["x"] - 1 <= crop["x"] and crop["x"] + crop["width"] <= shown["x"] + shown["width"] + 1
    viewer.get_by_label("Placement crop").select_option("")
    expect(viewer.locator(".placement-overlay")).to_have_count(0)

    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            other = context.new_page()
            log_in(other, "eve")
            open_with_story_crop(other)
            check_page(other, "placements-lightbox")
        finally:
            context.close()
