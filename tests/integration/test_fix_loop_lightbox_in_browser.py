"""The fix loop in the lightbox (issue 26): a reviewer looking at the image large pins a box with
the mouse, a point, and a box with the keyboard only, and each comment lands exactly as one made
on the asset page; an editor marks a region there (a box, then the brush) and sees the crop that will be sent."""

import pytest
from playwright.sync_api import expect

from apps.approvals.models import Comment
from apps.generations.models import Generation
from apps.generations.services import GenerationInput, generation_create
from tests.factories import ProjectFactory
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_fix_loop_in_browser import drag_over
from tests.integration.test_pages_in_browser import log_in
from tests.integration.test_refine_in_browser import wait_for_asset

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def drag_in_lightbox(page, start, end):
    drag_over(page, start, end, overlay=".lightbox .pin-overlay")


def open_lightbox(page, tool):
    page.locator(".stage img.asset-image").click(position={"x": 8, "y": 8})  # a corner: the pins' boxes lead to their comments
    viewer = page.get_by_role("dialog", name="Image viewer")
    expect(viewer).to_be_visible()
    expect(viewer.locator(".lb-view img")).to_have_js_property("complete", True)
    viewer.get_by_role("button", name=tool).click()
    expect(viewer.locator(".lb-panel")).to_be_visible()
    return viewer


def test_a_reviewer_pins_comments_in_the_lightbox_as_on_the_page(browser_page, chromium, live_server, person, worker, upstream):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    erin = person(project, "editor", "erin")
    person(project, "reviewer", "rita")
    job, _ = generation_create(project=project, user=erin, data=GenerationInput(prompt="a green bottle on a beach", image_size="512"))
    asset = wait_for_asset(job)

    log_in(page, "rita")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/assets/{asset.pk}/")
    page.wait_for_load_state("load")
    viewer = open_lightbox(page, "Comment on the image")
    panel = viewer.locator(".lb-panel")
    expect(panel.get_by_label("New comment")).to_be_visible()  # the page's own form, moved beside the image

    # 1. A box with the mouse over the large image.
    panel.get_by_role("button", name="Draw a box").click()
    drag_in_lightbox(page, (0.2, 0.2), (0.5, 0.45))
    expect(panel.locator("[data-draw-status]")).to_contain_text("Box at")
    panel.get_by_label("New comment").fill("The cap should be red +1")  # "+" is text here, not zoom
    assert viewer.get_attribute("data-zoom") == "0"
    panel.get_by_role("button", name="Comment", exact=True).click()
    expect(panel.locator(".lb-panel-status")).to_have_text("Comment added: its pin is on the image.")
    expect(viewer.locator(".pin-marker")).to_have_count(1)
    first = Comment.objects.get()
    assert first.body == "The cap should be red +1" and first.asset_id == asset.pk and first.parent_id is None
    assert first.pin["x"] == pytest.approx(0.2, abs=0.02) and first.pin["y"] == pytest.approx(0.2, abs=0.02)
    assert first.pin["w"] == pytest.approx(0.3, abs=0.02) and first.pin["h"] == pytest.approx(0.25, abs=0.02)
    expect(panel.get_by_label("New comment")).to_have_value("")  # ready for the next one, still in the viewer

    # 2. A point.
    panel.get_by_role("button", name="Point").click()
    overlay = viewer.locator(".pin-overlay").bounding_box()
    page.mouse.click(overlay["x"] + overlay["width"] * 0.8, overlay["y"] + overlay["height"] * 0.7)
    expect(panel.locator("[data-draw-status]")).to_contain_text("Pin at")
    panel.get_by_label("New comment").fill("Sand too yellow")
    panel.get_by_role("button", name="Comment", exact=True).click()
    expect(viewer.locator(".pin-marker")).to_have_count(2)
    point = Comment.objects.get(body="Sand too yellow")
    assert point.pin == pytest.approx({"x": 0.8, "y": 0.7}, abs=0.02)

    # 3. A box with the keyboard only: the arrow keys move the box, not through the viewer's images.
    panel.get_by_role("button", name="Box with the keyboard").focus()
    page.keyboard.press("Enter")
    expect(viewer.locator(".draw-draft")).to_be_focused()
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown", "Alt+ArrowRight"):
        page.keyboard.press(key)
    page.keyboard.press("Enter")
    expect(panel.get_by_label("New comment")).to_be_focused()
    page.keyboard.type("Logo smudged here")
    panel.get_by_role("button", name="Comment", exact=True).press("Enter")
    expect(viewer.locator(".pin-marker")).to_have_count(3)
    keyed = Comment.objects.get(body="Logo smudged here")
    assert keyed.pin == pytest.approx({"x": 0.43, "y": 0.5, "w": 0.21, "h": 0.2}, abs=1e-3)  # as on the page

    # Closed, the form is back on the page and the pins are there too.
    viewer.get_by_role("button", name="Close").click()
    expect(viewer).to_be_hidden()
    comments = page.get_by_role("region", name="Comments")
    expect(comments.get_by_label("New comment")).to_be_visible()
    expect(page.locator(".stage .pin-marker")).to_have_count(3)
    expect(comments.locator(".comment")).to_have_count(3)

    def drawn_in_lightbox(other):
        shown = open_lightbox(other, "Comment on the image")
        shown.locator(".lb-panel").get_by_role("button", name="Draw a box").click()
        drag_in_lightbox(other, (0.3, 0.3), (0.6, 0.55))
        expect(shown.locator(".lb-panel [data-draw-status]")).to_contain_text("Box at")

    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            other = context.new_page()
            log_in(other, "rita")
            other.goto(f"/assets/{asset.pk}/")
            other.wait_for_load_state("load")
            drawn_in_lightbox(other)
            check_page(other, "fix-loop-lightbox")
        finally:
            context.close()


def test_an_editor_marks_a_region_in_the_lightbox_and_sees_the_crop_sent(browser_page, live_server, person, worker, upstream):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    erin = person(project, "editor", "erin")
    job, _ = generation_create(project=project, user=erin, data=GenerationInput(prompt="a green bottle on a beach", image_size="512"))
    asset = wait_for_asset(job)
    log_in(page, "erin")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/assets/{asset.pk}/")
    page.wait_for_load_state("load")
    viewer = open_lightbox(page, "Fix a region")
    panel = viewer.locator(".lb-panel")
    panel.get_by_role("button", name="Draw a box").click()
    drag_in_lightbox(page, (0.3, 0.3), (0.45, 0.5))
    expect(panel.locator("[data-crop-preview] figcaption")).to_contain_text("The model is sent this")
    expect(viewer.locator(".crop-outline")).to_be_visible()
    # One form docked at a time: switching to a comment puts the region form back on the page.
    viewer.get_by_role("button", name="Comment on the image").click()
    expect(panel.locator("[data-draw-form=region]")).to_have_count(0)
    viewer.get_by_role("button", name="Fix a region").click()
    # The brush paints over the large image; the mask sent is the source's size.
    panel.get_by_role("button", name="Brush").click()
    drag_in_lightbox(page, (0.6, 0.6), (0.75, 0.7))
    expect(panel.locator("[data-draw-status]")).to_contain_text("Painted area")
    expect(panel.locator("[data-crop-preview] figcaption")).to_contain_text("The model is sent this")
    panel.get_by_label("What should change inside the region?").fill("a red ball")
    panel.get_by_role("button", name="Fix this region").click()
    page.wait_for_url("**/jobs/*/")
    fix = Generation.objects.get(kind="region_edit")
    spec = fix.region_edit
    assert spec.mask
    assert spec.region["x"] == pytest.approx(0.6, abs=0.06) and spec.region["y"] == pytest.approx(0.6, abs=0.06)
