"""The pages in a real browser: Debian's Chromium headless, the live server, a real Celery worker,
the real SDK and the emulator. Each test leaves a screenshot in test-artifacts/screenshots/."""

import base64
import re

import pytest
from playwright.sync_api import expect

from apps.assets.models import Asset
from apps.generations.models import Generation, Status
from tests.factories import ProjectFactory, stored_asset
from tests.images import image_bytes

pytestmark = pytest.mark.integration


def log_in(page, username):
    page.goto("/")
    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()


def drop_image(page, selector, name, data):
    page.evaluate(
        """([selector, name, data]) => {
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type: "image/png"}));
            document.querySelector(selector).dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true, cancelable: true}));
        }""",
        [selector, name, base64.b64encode(data).decode()],
    )


def wait_for_job(page, card):
    try:
        expect(card).to_have_attribute("data-status", re.compile("succeeded|failed"), timeout=30_000)
    finally:
        print("jobs:", list(Generation.objects.values_list("kind", "status", "error_message")))
    expect(card).to_have_attribute("data-status", "succeeded")


def test_editor_builds_a_character_generates_and_derives_without_reloading(browser_page, person, worker, upstream):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee", brief="Warm, friendly, green accents.")
    person(project, "editor", "erin")
    log_in(page, "erin")
    page.get_by_role("link", name="Acme Coffee").click()
    page.get_by_role("link", name="Library").first.click()

    page.get_by_label("Name").fill("Mia")
    page.get_by_label("Description").fill("red-haired barista, green apron")
    page.get_by_role("button", name="Create").click()
    expect(page.get_by_role("heading", name=re.compile("Mia"))).to_be_visible()

    # Two images dropped one after the other on the drop zone (real drop events carrying files).
    page.wait_for_load_state("load")  # the drop-zone script is loaded
    for count, colour in enumerate([(200, 60, 40), (40, 160, 90)], start=1):
        drop_image(page, "#dropzone", f"mia-{count}.png", image_bytes(320, 320, colour=colour))
        expect(page.locator("#previews img")).to_have_count(count)
    expect(page.locator("#slots")).to_have_text("2 of 4 used.")
    page.get_by_role("button", name="Upload").click()
    expect(page.get_by_text("Added 2 reference images.")).to_be_visible()
    expect(page.locator("#image-count")).to_have_text("2 / 4")

    page.get_by_role("link", name="Generate").first.click()
    page.evaluate("window.notReloaded = true")
    # The form follows the model: Nano Banana has one size, no thinking and no grounding.
    page.get_by_label("Model").select_option("nano-banana")
    expect(page.get_by_label("Size")).to_be_hidden()
    expect(page.get_by_label("Thinking level")).to_be_hidden()
    expect(page.get_by_label("Ground with Google web search")).to_be_hidden()
    page.get_by_label("Model").select_option("nano-banana-pro")
    expect(page.get_by_label("Aspect ratio").locator("option")).to_have_count(10)
    page.get_by_label("Model").select_option("nano-banana-2")
    expect(page.get_by_label("Aspect ratio").locator("option")).to_have_count(14)

    page.get_by_label("Prompt").fill("Mia handing a cup of coffee across the counter")
    page.get_by_label("Size").select_option("512")
    page.get_by_label("Aspect ratio").select_option("4:5")
    page.get_by_role("checkbox", name=re.compile("Mia")).check()
    expect(page.locator("#image-counter")).to_have_text("2 of 14 input images")
    page.get_by_role("button", name="Generate").click()

    card = page.locator("#jobs .job").first
    wait_for_job(page, card)
    assert page.evaluate("window.notReloaded") is True
    job = Generation.objects.get(kind="generate")
    assert job.image_size == "512" and job.aspect_ratio == "4:5" and job.references.count() == 2
    draft = Asset.objects.get(generation=job)

    card.get_by_role("link").last.click()
    expect(page.get_by_role("heading", name="Lineage")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    for summary, fill, button in [
        ("Edit", lambda: page.get_by_label("What should change?").fill("Make the apron darker"), "Edit"),
        ("Translate the text in the image", lambda: page.get_by_label("Japanese").check(), "Translate"),
        ("Upscale to 2K or 4K", lambda: page.get_by_label("2K").check(), "Upscale"),
    ]:
        section = page.locator("details", has_text=summary)
        section.locator("summary").click()
        fill()
        section.get_by_role("button", name=button).click()
        wait_for_job(page, section.locator(".job"))
    assert page.evaluate("window.notReloaded") is True

    made = {g.kind: g for g in Generation.objects.exclude(pk=job.pk)}
    assert set(made) == {"edit", "translate", "upscale"}
    assert all(g.status == Status.SUCCEEDED for g in made.values())
    assert made["translate"].target_language == "ja" and made["upscale"].image_size == "2K"
    page.reload()
    expect(page.locator(".lineage .level").filter(has=page.locator("b", has_text=re.compile("^Made from it$"))).locator(".node")).to_have_count(3)
    assert Asset.objects.filter(project=project).count() == 4 and draft.pk


def test_reviewer_approves_from_the_queue_with_a_key(browser_page, person, worker):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    editor = person(project, "editor", "erin")
    person(project, "reviewer", "rita")
    asset = stored_asset(project, user=editor)
    log_in(page, "rita")
    page.get_by_role("link", name="Acme Coffee").click()
    page.get_by_role("link", name="Review now").click()
    expect(page.get_by_role("heading", name=re.compile("Review queue"))).to_contain_text("1 waiting")
    page.wait_for_load_state("load")  # the shortcut script is loaded
    page.keyboard.press("a")
    expect(page.locator("#undo-toast")).to_contain_text("Approved: “")  # at once, with Undo for a few seconds
    expect(page.get_by_text("Nothing waits for your review.")).to_be_visible()
    asset.refresh_from_db()
    assert asset.review_status == "approved"
    assert list(asset.reviews.values_list("reviewer__username", "decision")) == [("rita", "approve")]


def test_viewer_sees_no_generate_button_and_is_refused_when_posting_anyway(browser_page, person, worker):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    person(project, "viewer", "vic")
    asset = stored_asset(project)
    log_in(page, "vic")
    page.get_by_role("link", name="Acme Coffee").click()
    expect(page.get_by_role("link", name="Gallery").first).to_be_visible()
    expect(page.get_by_role("link", name="Generate")).to_have_count(0)
    expect(page.get_by_role("link", name=re.compile("Generate an image"))).to_have_count(0)

    page.goto(f"/assets/{asset.pk}/")
    expect(page.get_by_role("heading", name="Lineage")).to_be_visible()
    expect(page.get_by_text("Make more from it")).to_have_count(0)

    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    for url, form in [
        (f"/projects/{project.pk}/generate/", {"prompt": "sneaky", "model": "nano-banana-2", "image_size": "1K", "aspect_ratio": "1:1", "count": "1"}),
        (f"/assets/{asset.pk}/derive/", {"action": "edit", "prompt": "sneaky"}),
    ]:
        response = page.request.post(url, form=form, headers={"X-CSRFToken": token, "Referer": page.url})
        assert response.status == 403, url
        assert "Your role (viewer) may not create generations" in response.text()
    assert not Generation.objects.exists()
    page.goto(f"/projects/{project.pk}/generate/")
    expect(page.get_by_role("alert")).to_contain_text("Your role (viewer) may not create generations")


def test_every_page_fits_a_phone_screen(browser_page, person, live_server):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    project = ProjectFactory(name="Acme Coffee")
    editor = person(project, "owner", "olga")
    asset = stored_asset(project, user=editor)
    log_in(page, "olga")
    for url in [f"/projects/{project.pk}/", f"/projects/{project.pk}/library/", f"/projects/{project.pk}/generate/",
                f"/projects/{project.pk}/gallery/", f"/assets/{asset.pk}/", f"/projects/{project.pk}/review/"]:
        page.goto(url)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{url} scrolls sideways by {overflow}px on a phone"
