"""The fix loop in a real browser (Chromium, live server, real worker, emulator): a reviewer pins a
box with the mouse and another with the keyboard only; an editor applies one as a region edit; the
result opens beside its source with the region outlined; approving it resolves the comment."""

import pytest
from playwright.sync_api import expect

from apps.approvals.models import Comment
from apps.generations.models import Generation
from apps.generations.services import GenerationInput, generation_create
from tests.factories import ProjectFactory
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_pages_in_browser import log_in
from tests.integration.test_refine_in_browser import wait_for_asset
from tests.waiting import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.browser]


def drag_over(page, start, end, overlay="[data-checks-image] ~ .pin-overlay"):
    """Drag across the picture as shown, by its overlay (the img's box may letterbox it; the
    lightbox's overlay is `.lightbox .pin-overlay`)."""
    box = page.locator(overlay).bounding_box()
    page.mouse.move(box["x"] + box["width"] * start[0], box["y"] + box["height"] * start[1])
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * (start[0] + end[0]) / 2, box["y"] + box["height"] * (start[1] + end[1]) / 2, steps=4)
    page.mouse.move(box["x"] + box["width"] * end[0], box["y"] + box["height"] * end[1], steps=4)
    page.mouse.up()


def look_at(chromium, live_server, username, url, name, prepare=lambda page: None):
    """Screenshots at 1440 and 390 px, no sideways scroll, no serious axe finding (axe-core runs
    under the pages' own CSP)."""
    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            page = context.new_page()
            log_in(page, username)
            page.goto(url)
            page.wait_for_load_state("load")
            prepare(page)
            check_page(page, name)
        finally:
            context.close()


def test_pin_by_mouse_and_by_keyboard_apply_compare_and_approve(browser_page, chromium, live_server, person, worker, upstream):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    erin = person(project, "editor", "erin")
    person(project, "reviewer", "rita")
    job, _ = generation_create(project=project, user=erin, data=GenerationInput(prompt="a green bottle on a beach", image_size="512"))
    asset = wait_for_asset(job)

    log_in(page, "rita")
    page.goto(f"/assets/{asset.pk}/")
    page.wait_for_load_state("load")
    comments = page.get_by_role("region", name="Comments")

    # 1. With the mouse: draw a box, say what is wrong.
    comments.get_by_role("button", name="Draw a box").click()
    drag_over(page, (0.2, 0.2), (0.5, 0.45))
    expect(comments.locator("[data-draw-status]")).to_contain_text("Box at")
    comments.get_by_label("New comment").fill("The cap should be red")
    comments.get_by_role("button", name="Comment", exact=True).click()
    expect(page.locator(".comment")).to_have_count(1)
    expect(page.locator(".pin-marker")).to_have_count(1)
    first = Comment.objects.get()
    assert first.pin["x"] == pytest.approx(0.2, abs=0.02) and first.pin["w"] == pytest.approx(0.3, abs=0.02)

    # 2. With the keyboard only: a box in the middle, moved and resized with the arrow keys.
    page.get_by_role("button", name="Box with the keyboard").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".draw-draft")).to_be_focused()
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowDown", "Alt+ArrowRight"):
        page.keyboard.press(key)
    page.keyboard.press("Enter")  # on to the comment box
    expect(page.get_by_label("New comment")).to_be_focused()
    page.keyboard.type("Logo smudged here")
    page.get_by_role("button", name="Comment", exact=True).press("Enter")
    expect(page.locator(".pin-marker")).to_have_count(2)
    second = Comment.objects.exclude(pk=first.pk).get()
    assert second.pin == pytest.approx({"x": 0.43, "y": 0.5, "w": 0.21, "h": 0.2}, abs=1e-3)
    look_at(chromium, live_server, "rita", f"/assets/{asset.pk}/#comment-{first.pk}", "fix-loop-comments")

    # 3. The editor applies the first one, reworded; the job runs; the result shows beside its source.
    page.context.clear_cookies()
    log_in(page, "erin")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"/assets/{asset.pk}/")
    mine = page.locator(f"#comment-{first.pk}")
    mine.get_by_text("Apply as edit").click()
    mine.get_by_label("Instruction").fill("Make the bottle cap red")
    mine.get_by_role("button", name="Fix this box").click()
    page.wait_for_url("**/jobs/*/")
    fix = Generation.objects.get(kind="region_edit")
    assert page.url.endswith(f"/jobs/{fix.pk}/")
    fixed = wait_for_asset(fix)
    page.goto(f"/assets/{fixed.pk}/")
    expect(page.locator(".compare .region-outline")).to_have_count(1)
    page.get_by_role("button", name="Slider").click()
    expect(page.locator(".compare .slider input[type=range]")).to_be_visible()
    expect(page.get_by_text("on an earlier version").first).to_be_visible()  # the pins came along, marked

    # 4. The reviewer approves the result: the comment it addressed is resolved.
    page.context.clear_cookies()
    log_in(page, "rita")
    page.goto(f"/assets/{fixed.pk}/")
    page.get_by_role("button", name="Approve").click()
    wait_for(lambda: Comment.objects.get(pk=first.pk).is_resolved, 10, what="the applied comment resolved")
    page.goto(f"/assets/{asset.pk}/")
    expect(page.locator(f"#comment-{first.pk} .badge")).to_have_text("Resolved")
    expect(page.locator(f"#comment-{first.pk}")).to_contain_text("Addressed in")


def test_fix_a_region_with_the_brush_previews_the_crop_and_changes_only_the_painted_part(browser_page, chromium, live_server, person, worker, upstream):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    erin = person(project, "editor", "erin")
    job, _ = generation_create(project=project, user=erin, data=GenerationInput(prompt="a green bottle on a beach", image_size="512"))
    asset = wait_for_asset(job)
    log_in(page, "erin")
    page.goto(f"/assets/{asset.pk}/")
    page.wait_for_load_state("load")
    page.get_by_text("Fix a region").click()
    form = page.locator("[data-draw-form=region]")
    form.get_by_role("button", name="Draw a box").click()
    drag_over(page, (0.3, 0.3), (0.45, 0.5))
    expect(form.locator("[data-crop-preview] figcaption")).to_contain_text("The model is sent this")
    expect(page.locator(".crop-outline")).to_be_visible()

    def draw_a_box(other):
        other.get_by_text("Fix a region").click()
        other.locator("[data-draw-form=region]").get_by_role("button", name="Draw a box").click()
        drag_over(other, (0.3, 0.3), (0.45, 0.5))
        expect(other.locator("[data-crop-preview] figcaption")).to_contain_text("The model is sent this")

    look_at(chromium, live_server, "erin", f"/assets/{asset.pk}/", "fix-loop-region", draw_a_box)

    form.get_by_role("button", name="Brush").click()
    drag_over(page, (0.6, 0.6), (0.75, 0.7))
    expect(form.locator("[data-draw-status]")).to_contain_text("Painted area")
    form.get_by_label("What should change inside the region?").fill("a red ball")
    form.get_by_role("button", name="Fix this region").click()
    page.wait_for_url("**/jobs/*/")
    fix = Generation.objects.get(kind="region_edit")
    assert page.url.endswith(f"/jobs/{fix.pk}/")
    fixed = wait_for_asset(fix)
    spec = fix.region_edit
    assert spec.mask  # the brush's mask was sent, the source's size
    assert spec.region["x"] == pytest.approx(0.6, abs=0.06) and spec.region["y"] == pytest.approx(0.6, abs=0.06)
    assert (fixed.width, fixed.height) == (asset.width, asset.height)
