"""The pages as a designer and a reviewer use them, in Debian's Chromium at a desktop (1440x900)
and a phone (390x844) size: each numbered problem of issue 16 and the features beside them.

Every page is checked for sideways scroll and with axe-core (serious or critical violations fail)
and leaves a screenshot per width in test-artifacts/screenshots/. One browser serves the whole
session; each test opens one context per width and reuses its page.
"""

import io
import re
import time
import zipfile

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from apps.approvals.models import Review
from apps.assets.images import sanitize_upload
from apps.assets.models import Asset, AssetTag, Favourite, Origin
from apps.assets.files import file_write
from apps.assets.services import asset_create
from apps.generations.models import Generation
from apps.library.services import reference_image_add
from apps.projects.models import Membership
from tests.factories import LibraryEntryFactory, ProjectFactory, member
from tests.integration.browser import DESKTOP, PHONE, check_page, screenshot, sideways_scroll

pytestmark = pytest.mark.integration
WIDTHS = pytest.mark.parametrize("size", [DESKTOP, PHONE], ids=["desktop", "phone"])
LONG_PROMPT = ("A teal bottle on white marble, soft morning light from the left, gentle shadows, "
               "brand colours teal and white, a sprig of mint beside it. ") * 60  # ~8,900 characters


def picture(width, height, colour, label="") -> bytes:
    """A recognisable image: a coloured field with a frame, a disc and a text band."""
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([width // 20, height // 20, width - width // 20, height - height // 20], outline=(255, 255, 255), width=max(2, width // 100))
    draw.ellipse([width // 3, height // 3, width // 3 + width // 4, height // 3 + width // 4], fill=(255, 255, 255))
    draw.rectangle([0, height - height // 6, width, height], fill=(20, 20, 20))
    draw.text((width // 10, height - height // 8), label, fill=(255, 255, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def asset_of(project, *, user, width=512, height=512, colour=(20, 140, 140), label="", job=None, index=0, parents=()):
    image = sanitize_upload(picture(width, height, colour, label))
    key = f"projects/{project.pk}/test/{time.monotonic_ns()}.png"
    file_write(key, image.data)
    return asset_create(project=project, key=key, image=image, origin=Origin.GENERATED if job else Origin.UPLOAD,
                        created_by=user, generation=job, output_index=index, parents=list(parents))


def job_of(project, *, user, kind="generate", prompt="", ratio="1:1", size="512", sources=(), **fields):
    fields.setdefault("status", "succeeded")
    job = Generation.objects.create(project=project, kind=kind, prompt=prompt, model="gemini-3.1-flash-image-preview", aspect_ratio=ratio,
                                    image_size=size, created_by=user, **fields)
    for position, source in enumerate(sources):
        job.sources.create(asset=source, position=position)
    return job


@pytest.fixture
def studio(transactional_db):
    """A project as a team leaves it after a week: drafts of several shapes, an edit, a translation,
    an upscale, variations, an upload, tags and a long prompt; an owner, an editor and a reviewer."""
    project = ProjectFactory(name="Acme Coffee", brief="Warm, friendly, green accents.")
    owner, editor, reviewer = member(project, "owner", "olga"), member(project, "editor", "erin"), member(project, "reviewer", "rita")
    mia = LibraryEntryFactory(project=project, name="Mia", description="red-haired barista, green apron")
    reference_image_add(entry=mia, data=picture(320, 320, (200, 60, 40), "MIA"))
    draft_job = job_of(project, user=editor, prompt="Mia handing a cup of coffee across the counter, morning light", ratio="4:5")
    draft = asset_of(project, user=editor, width=416, height=520, colour=(30, 120, 90), label="DRAFT", job=draft_job)
    edit = asset_of(project, user=editor, width=416, height=520, colour=(90, 60, 30), label="EDIT", parents=[(draft, "edited_from")],
                    job=job_of(project, user=editor, kind="edit", prompt="Make the apron darker", ratio="4:5", sources=[draft]))
    translation = asset_of(project, user=editor, width=416, height=520, colour=(30, 60, 150), label="KAFFEE", parents=[(draft, "translated_from")],
                           job=job_of(project, user=editor, kind="translate", ratio="4:5", sources=[draft], target_language="de",
                                      prompt=draft_job.prompt))
    upscale = asset_of(project, user=editor, width=832, height=1040, colour=(30, 120, 90), label="2K", parents=[(draft, "upscaled_from")],
                       job=job_of(project, user=editor, kind="upscale", ratio="4:5", size="2K", sources=[draft], prompt=draft_job.prompt))
    variations_job = job_of(project, user=editor, prompt=draft_job.prompt, ratio="4:5", sources=[draft], count=2)
    first = asset_of(project, user=editor, width=416, height=520, colour=(150, 90, 30), label="V1", job=variations_job, parents=[(draft, "composed_from")])
    second = asset_of(project, user=editor, width=416, height=520, colour=(150, 30, 90), label="V2", job=variations_job, index=1,
                      parents=[(draft, "composed_from"), (first, "variation_of")])
    wide = asset_of(project, user=editor, width=912, height=512, colour=(200, 120, 40), label="BANNER",
                    job=job_of(project, user=editor, prompt="Wide banner: coffee beans on teal, space for copy on the right", ratio="16:9"))
    long = asset_of(project, user=editor, colour=(60, 60, 60), label="LONG", job=job_of(project, user=editor, prompt=LONG_PROMPT))
    upload = asset_of(project, user=owner, width=640, height=480, colour=(220, 220, 200), label="UPLOAD")
    AssetTag.objects.create(asset=wide, name="summer")
    AssetTag.objects.create(asset=wide, name="banner")
    return {"project": project, "owner": owner, "editor": editor, "reviewer": reviewer, "mia": mia, "draft": draft, "edit": edit,
            "translation": translation, "upscale": upscale, "variations": [first, second], "wide": wide, "long": long, "upload": upload}


@pytest.fixture
def browse(chromium, live_server):
    """open(user, size) -> a logged-in page at that window size (no user: logged out)."""
    contexts = []

    def open_page(user=None, size=DESKTOP):
        # Under the pages' real Content-Security-Policy: axe-core comes as a same-origin script file (browser.load_axe).
        context = chromium.new_context(base_url=live_server.url, viewport=size)
        context.set_default_timeout(15_000)
        contexts.append(context)
        if user is not None:
            client = Client()
            client.force_login(user)
            context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}])
        page = context.new_page()
        page.missing = []
        page.on("response", lambda response: response.status == 404 and page.missing.append(response.url))
        return page

    yield open_page
    for context in contexts:
        context.close()


def open_filters(page):
    """On a phone the gallery's filters start folded; open them as a person would."""
    panel = page.locator("#filter-panel")
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()


def visit(page, path):
    page.goto(path)
    page.wait_for_load_state("load")
    return page


@WIDTHS
def test_every_page_fits_reads_well_and_has_no_serious_accessibility_problem(studio, browse, size):
    """Problem 3 (Generate wider than a phone) and 9 (favicon 404, raw model ids) on every page,
    with axe-core and a screenshot of each."""
    pk = studio["project"].pk
    page = browse(None, size)
    visit(page, "/")
    expect(page.get_by_role("heading", name="Nano Banana Pro")).to_be_visible()
    assert "gemini-3-pro-image-preview" not in page.content()  # names a person knows, not model ids
    check_page(page, "home")
    visit(page, "/login/")
    check_page(page, "login")

    page = browse(studio["owner"], size)
    for name, path in [
        ("projects", "/projects/"),
        ("project-home", f"/projects/{pk}/"),
        ("library", f"/projects/{pk}/library/"),
        ("library-entry", f"/library/{studio['mia'].pk}/"),
        ("generate", f"/projects/{pk}/generate/"),
        ("gallery", f"/projects/{pk}/gallery/"),
        ("asset-edit", f"/assets/{studio['edit'].pk}/"),
        ("asset-draft", f"/assets/{studio['draft'].pk}/"),
        ("asset-long-prompt", f"/assets/{studio['long'].pk}/"),
        ("job-variations", f"/jobs/{studio['variations'][0].generation_id}/"),
        ("review", f"/projects/{pk}/review/"),
    ]:
        visit(page, path)
        check_page(page, name)
    assert not page.missing, f"404s while browsing: {page.missing}"

    reviewer = browse(studio["reviewer"], size)
    for name, path in [("admin-index", "/admin/"), ("admin-assets", "/admin/assets/asset/"), ("admin-asset", f"/admin/assets/asset/{studio['translation'].pk}/change/")]:
        visit(reviewer, path)
        screenshot(reviewer, name)
    assert not [url for url in reviewer.missing if url.endswith("favicon.ico")]


def box(locator) -> dict:
    return locator.bounding_box()


@WIDTHS
def test_1_tiles_show_the_whole_image_with_title_author_and_date(studio, browse, size):
    for n in range(12):
        asset_of(studio["project"], user=studio["editor"], width=416, height=520, colour=(40 + n * 15, 90, 120),
                 job=job_of(studio["project"], user=studio["editor"], prompt=f"Shelf display number {n}", ratio="4:5"))
    page = visit(browse(studio["owner"], size), f"/projects/{studio['project'].pk}/gallery/")
    tiles = page.locator("#gallery [data-tile]")
    expect(tiles).to_have_count(21)
    for tile in tiles.all()[:4]:
        image, frame = box(tile.locator("img")), box(tile)
        assert abs(image["width"] - image["height"]) < 2 and image["width"] >= frame["width"] - 2  # a square stage, full width
        assert tile.locator("img").evaluate("img => getComputedStyle(img).objectFit") == "contain"  # whole image, never cropped or stretched
        badges = tile.locator(".badge").all()  # the review status, and the brand checks' status
        assert len(badges) == 2
        for badge in badges:
            assert box(badge)["width"] < frame["width"] / 2  # a badge, not a bar
    wide = tiles.filter(has_text="Wide banner")
    expect(wide.locator(".title")).to_contain_text("Wide banner: coffee beans on teal")
    expect(wide.locator(".byline")).to_contain_text(re.compile(r"Generated · erin · \d+ \w{3}"))
    expect(wide.locator(".tags")).to_have_text(re.compile("#banner #summer"))
    if size == DESKTOP:
        visible = [t for t in tiles.all() if box(t)["y"] + box(t)["height"] <= size["height"]]
        assert len(visible) >= 14, f"only {len(visible)} tiles fit the first screen"
    else:
        assert box(tiles.first)["width"] < size["width"] / 2 + 10  # two tiles a row on a phone
    check_page(page, "tiles")
    # Problem 2 in the gallery: a tile opens larger in place, and the arrows go through them all.
    tiles.first.get_by_role("link", name=re.compile("View larger")).click()
    counter = page.get_by_role("dialog", name="Image viewer").locator(".lb-counter")
    expect(counter).to_have_text("1 of 21")
    page.keyboard.press("ArrowLeft")
    expect(counter).to_have_text("21 of 21")
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="Image viewer")).to_be_hidden()


@WIDTHS
def test_2_images_open_in_a_lightbox_and_edits_compare_with_their_source(studio, browse, size):
    page = visit(browse(studio["owner"], size), f"/assets/{studio['draft'].pk}/")
    start = page.url
    image = page.locator(".stage img")
    assert box(image)["width"] > (416 if size == DESKTOP else 300)  # a 512 draft fills its column, not its native size
    image.click()
    viewer = page.get_by_role("dialog", name="Image viewer")
    expect(viewer).to_be_visible()
    assert page.url == start  # still in the app
    page.keyboard.press("+")
    expect(viewer).to_have_attribute("data-zoom", "1")
    page.keyboard.press("+")
    expect(viewer).to_have_attribute("data-zoom", "2")
    check_page(page, "lightbox")
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    # Next and previous without going back to the gallery (newest first, as the gallery is).
    page.get_by_role("navigation", name="Step through the gallery").get_by_role("link", name="Newer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Make the apron darker")
    page.get_by_role("link", name="Older").click()
    assert page.url == start

    # An edit, side by side with its source, then with the slider; arrows step through both.
    visit(page, f"/assets/{studio['edit'].pk}/")
    compare = page.get_by_role("region", name="Compare with the source")
    expect(compare.locator(".side figcaption")).to_have_text(["Source · 416×520", "Edit · 416×520"])
    source, result = compare.locator(".side img").all()
    if size == DESKTOP:
        assert box(source)["y"] == box(result)["y"] and box(source)["x"] < box(result)["x"]  # side by side
    compare.get_by_role("button", name="Slider").click()
    expect(compare.locator(".slider")).to_be_visible()
    compare.get_by_label("How much of the source to show").fill("80")
    assert compare.locator(".frame").evaluate("f => f.style.getPropertyValue('--reveal')") == "80%"
    compare.get_by_role("button", name="Side by side").click()
    source.click()
    expect(viewer.locator(".lb-counter")).to_have_text("1 of 2")
    page.keyboard.press("ArrowRight")
    expect(viewer.locator(".lb-counter")).to_have_text("2 of 2")
    expect(viewer.locator(".lb-caption")).to_contain_text("Edit: Make the apron darker")
    page.keyboard.press("Escape")

    # In the review queue a translation is shown against its source.
    for other in Asset.objects.exclude(pk=studio["translation"].pk):
        other.review_status = "approved"
        other.save()
    reviewer = visit(browse(studio["reviewer"], size), f"/projects/{studio['project'].pk}/review/")
    expect(reviewer.get_by_role("region", name="Compare with the source").locator("figcaption")).to_contain_text(["Source", "Translation → German"])
    check_page(reviewer, "review-translation")


@WIDTHS
def test_3_generate_form_stays_in_its_column_and_fits_a_phone(studio, browse, size):
    for n in range(6):
        LibraryEntryFactory(project=studio["project"], name=f"A character with a rather long name number {n}", kind="character")
    page = visit(browse(studio["editor"], size), f"/projects/{studio['project'].pk}/generate/")
    jobs = box(page.locator("section[aria-labelledby=jobs-title]"))
    for fieldset in page.locator("#generate-form fieldset").all():
        right = box(fieldset)["x"] + box(fieldset)["width"]
        if size == DESKTOP:
            assert right <= jobs["x"], "a picker runs into the jobs column"
        else:
            assert right <= size["width"]
    assert sideways_scroll(page) <= 0
    check_page(page, "generate-busy-library")


@WIDTHS
def test_4_review_keys_never_type_into_the_comment_and_approve_can_be_undone(studio, browse, size):
    """Issue 28 item 12: a decision is sent at once and the next asset shows; the toast's Undo (or u)
    takes it back on the server for a few seconds, then the toast goes."""
    for other in Asset.objects.exclude(pk__in=[studio["draft"].pk, studio["wide"].pk]):
        other.review_status = "approved"
        other.save()
    page = browse(studio["reviewer"], size)
    visit(page, f"/projects/{studio['project'].pk}/review/")
    first = page.locator("h2").first.inner_text()
    comment = page.get_by_role("textbox", name=re.compile(r"^Comment"))
    page.keyboard.press("r")
    expect(comment).to_be_focused()
    expect(comment).to_have_value("")
    expect(page.locator("#decision-hint")).to_contain_text("Reject: say why")
    comment.type("Logo misspelled")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#undo-toast")).to_contain_text("Rejected: “")
    assert list(Review.objects.values_list("decision", "comment")) == [("reject", "Logo misspelled")]
    assert page.locator("h2").first.inner_text() != first  # moved on at once

    started = time.monotonic()
    page.keyboard.press("a")
    expect(page.locator("#undo-toast")).to_contain_text("Approved: “")
    assert time.monotonic() - started < 3 and Review.objects.filter(decision="approve").count() == 1  # no hold
    expect(page.get_by_text("Nothing waits for your review")).to_be_visible()
    check_page(page, "review-undo-toast")
    page.keyboard.press("u")
    expect(page.get_by_text("no longer counts; it waits for review again")).to_be_visible()
    expect(page.locator("#decision-form").get_by_role("button", name="Approve", exact=True)).to_be_visible()
    assert Review.objects.count() == 1
    page.locator("#decision-form").get_by_role("button", name="Approve", exact=True).click()
    expect(page.locator("#undo-toast")).to_be_visible()
    expect(page.locator("#undo-toast")).to_have_count(0, timeout=12_000)  # gone after its few seconds
    assert Review.objects.filter(decision="approve").count() == 1


@WIDTHS
def test_5_a_long_prompt_is_counted_not_cut_and_does_not_bury_the_decision(studio, browse, size):
    page = visit(browse(studio["editor"], size), f"/projects/{studio['project'].pk}/generate/")
    prompt = page.get_by_label("Prompt")
    text = "x" * 9400
    prompt.fill(text)
    expect(page.locator("#id_prompt_count")).to_have_text("9,400 / 8,000 characters: 1,400 too many, shorten it before sending.")
    assert len(prompt.input_value()) == 9400  # nothing cut
    page.get_by_role("button", name="Generate").click()
    expect(page.get_by_text("Prompt is at most 8000 characters; this one has 9400")).to_be_visible()
    assert len(page.get_by_label("Prompt").input_value()) == 9400 and not Generation.objects.filter(prompt=text).exists()

    for other in Asset.objects.exclude(pk=studio["long"].pk):
        other.review_status = "approved"
        other.save()
    reviewer = visit(browse(studio["reviewer"], size), f"/projects/{studio['project'].pk}/review/")
    approve = reviewer.locator("#decision-form").get_by_role("button", name="Approve", exact=True)
    assert box(approve)["y"] + box(approve)["height"] <= (size["height"] if size == DESKTOP else 1400)
    expect(reviewer.get_by_text(re.compile(r"Show the whole prompt \(\d{4} characters\)"))).to_be_visible()
    check_page(reviewer, "review-long-prompt")


@WIDTHS
def test_6_a_new_job_shows_at_once_with_elapsed_time_a_placeholder_and_large_results(studio, browse, size, worker):
    newcomer = member(studio["project"], "editor", "nell")
    page = visit(browse(newcomer, size), f"/projects/{studio['project'].pk}/generate/")
    expect(page.locator("#no-jobs")).to_be_visible()
    page.get_by_label("Prompt").fill("Mia at the espresso machine [fault:slow=2]")
    page.get_by_label("Aspect ratio").select_option("16:9")
    page.get_by_role("button", name="Generate").click()
    card = page.locator("#jobs .job").first
    expect(card).to_be_in_viewport()  # on a phone too: the card scrolls into view
    expect(card.locator(".badge")).to_have_text(re.compile(r"(Queued|Running) · \d+ s"))
    placeholder = card.locator(".placeholder.r16x9")
    expect(placeholder).to_be_visible()
    assert abs(box(placeholder)["width"] / box(placeholder)["height"] - 16 / 9) < 0.05  # the shape of the coming image
    expect(page.locator("#no-jobs")).to_be_hidden()
    screenshot(page, "job-running")
    expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    result = card.locator(".results img")
    assert box(result)["width"] >= 150  # not a 72 px stamp
    check_page(page, "job-done")


def test_6_a_retry_is_told_in_words_a_person_understands(studio, client):
    job = job_of(studio["project"], user=studio["editor"], prompt="x", status="queued", attempts=1, error_code="rate_limited",
                 error_message="Attempt 1 failed, retrying in 1.0 s: The model is rate limited: 429 RESOURCE_EXHAUSTED")
    client.force_login(studio["editor"])
    card = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "The image service is busy; trying again automatically (attempt 2 of" in card
    assert "Attempt 1 failed" not in card and "RESOURCE_EXHAUSTED" not in card


@WIDTHS
def test_7_the_demo_reviewer_approves_and_rejects_in_the_admin(browse, size, transactional_db, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", stdout=io.StringIO())
    password = (tmp_path / "demo_password").read_text().strip()
    demo = get_user_model().objects.get(username="demo")
    project = Membership.objects.get(user=demo).project
    keep = asset_of(project, user=demo, colour=(20, 140, 140), label="KEEP", job=job_of(project, user=demo, prompt="Teal bottle, keeper"))
    drop = asset_of(project, user=demo, colour=(140, 20, 20), label="DROP", job=job_of(project, user=demo, prompt="Red bottle, off brand"))
    page = browse(None, size)
    visit(page, "/admin/")
    page.get_by_label("Username").fill("demo-reviewer")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    assets = page.locator("#assets-asset").get_by_role("link", name="Assets")
    expect(assets).to_be_visible()
    assets.click()
    expect(page.locator("#result_list")).to_contain_text("Teal bottle, keeper")
    expect(page.locator("#result_list")).to_contain_text("Pending")
    screenshot(page, "admin-reviewer-list")
    for title, decision, comment in [("Teal bottle, keeper", "Approve", ""), ("Red bottle, off brand", "Reject", "Off-brand red")]:
        visit(page, "/admin/assets/asset/")  # opens on Pending
        page.get_by_role("link", name=title).first.click()
        page.locator("#decide").get_by_label("Comment").fill(comment)  # at the top, with the decision buttons
        page.locator("#decide").get_by_role("button", name=decision, exact=True).click()
        expect(page.locator(".messagelist")).to_contain_text(f"{decision}: “{title}”")
    keep.refresh_from_db()
    drop.refresh_from_db()
    assert (keep.review_status, drop.review_status) == ("approved", "rejected")
    assert list(Review.objects.order_by("created_at").values_list("reviewer__username", "decision", "comment")) == [
        ("demo-reviewer", "approve", ""), ("demo-reviewer", "reject", "Off-brand red")]
    screenshot(page, "admin-reviewer-decided")


@WIDTHS
def test_8_messages_speak_to_people_not_developers(studio, browse, size):
    page = visit(browse(studio["owner"], size), f"/assets/{studio['wide'].pk}/")
    translate = page.locator("details", has_text="Translate the text in the image")
    translate.locator("summary").click()
    translate.get_by_role("button", name="Translate").click()
    expect(translate.get_by_role("alert")).to_have_text("Tick at least one language to translate into.")
    edit = page.locator("details", has_text="Edit")
    edit.locator("summary").first.click()
    edit.get_by_role("button", name="Edit").click()
    expect(edit.get_by_role("alert")).to_contain_text("Say what should change")
    for text in ["target_language", "A edit job", "Unknown"]:
        assert text not in page.locator("main").inner_text()
    page.get_by_role("textbox", name=re.compile(r"^Comment")).fill("Move the copy left")
    page.get_by_role("button", name="Request changes").click()
    expect(page.get_by_text("Changes requested. The asset now waits for changes.")).to_be_visible()
    check_page(page, "asset-after-decision")


@WIDTHS
def test_9_names_say_what_things_are_and_the_lineage_follows_new_jobs(studio, browse, size, worker):
    page = visit(browse(studio["owner"], size), f"/projects/{studio['project'].pk}/gallery/")
    open_filters(page)
    expect(page.get_by_label("Kind").locator("option", has_text="Variation")).to_have_count(1)
    page.get_by_label("Kind").select_option("variation")
    expect(page.locator("#result-count")).to_contain_text("2 assets match these filters")
    expect(page.locator("#gallery .byline").first).to_contain_text("Variation")

    draft = studio["draft"]
    visit(page, f"/assets/{draft.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Mia handing a cup of coffee across the counter, morning light")
    expect(page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="Gallery")).to_have_attribute(
        "href", f"/projects/{studio['project'].pk}/gallery/")
    descendants = page.locator(".lineage .level").filter(has=page.locator("b", has_text=re.compile("^Made from it$"))).locator(".node")
    expect(descendants).to_have_count(5)
    expect(page.locator(".lineage")).to_contain_text("Variation")
    assert "composed" not in page.locator(".lineage").inner_text()
    page.evaluate("window.notReloaded = true")
    translate = page.locator("details", has_text="Translate the text in the image")
    translate.locator("summary").click()
    translate.get_by_label("Japanese").check()
    translate.get_by_label("French").check()
    translate.get_by_role("button", name="Translate").click()  # one job per language
    cards = translate.locator(".job")
    expect(cards).to_have_count(2)
    for card in cards.all():
        expect(card).to_have_attribute("data-status", "succeeded", timeout=30_000)
    expect(descendants).to_have_count(7)  # the lineage caught up without a reload
    expect(page.locator(".lineage")).to_contain_text("Translation → Japanese")
    assert page.evaluate("window.notReloaded") is True
    assert sorted(Generation.objects.filter(kind="translate", status="succeeded").values_list("target_language", flat=True)) == ["de", "fr", "ja"]
    check_page(page, "asset-after-translations")


@WIDTHS
def test_10_gallery_filters_apply_by_themselves_and_work_by_keyboard(studio, browse, size):
    page = visit(browse(studio["owner"], size), f"/projects/{studio['project'].pk}/gallery/")
    expect(page.locator("#result-count")).to_contain_text("9 assets")
    if size == PHONE:
        assert box(page.locator("#gallery [data-tile]").first)["y"] < 400  # folded filters leave the first screen to the images
    open_filters(page)
    page.get_by_label("Search prompts and titles").fill("teal")
    expect(page.locator("#result-count")).to_contain_text("2 assets match these filters")  # no submit button to find
    assert "search=teal" in page.url  # the address keeps the filters for sharing and going back
    page.get_by_label("Search prompts and titles").fill("")
    expect(page.locator("#result-count")).to_contain_text("9 assets")
    page.get_by_label("From", exact=True).fill("2026-05-02")
    page.get_by_label("To", exact=True).fill("2026-05-01")
    expect(page.get_by_role("alert")).to_contain_text("“To” (2026-05-01) is before “From” (2026-05-02)")
    check_page(page, "gallery-date-error")

    visit(page, f"/projects/{studio['project'].pk}/gallery/")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to the results")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    tiles = page.locator("#gallery .tile-image")
    expect(tiles.nth(0)).to_be_focused()  # four key presses from the top of the page
    page.keyboard.press("ArrowRight")
    expect(tiles.nth(1)).to_be_focused()
    columns = 7 if size == DESKTOP else 2
    page.keyboard.press("ArrowDown")
    expect(tiles.nth(1 + columns)).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Breadcrumb")).to_be_visible()


@WIDTHS
def test_variations_side_by_side_pick_and_reuse_prompt_settings_and_images(studio, browse, size):
    first, second = studio["variations"]
    page = visit(browse(studio["editor"], size), f"/jobs/{first.generation_id}/")
    shown = page.locator(".job .results figure")
    expect(shown).to_have_count(2)
    if size == DESKTOP:
        assert box(shown.nth(0))["y"] == box(shown.nth(1))["y"]  # side by side
    page.get_by_role("button", name="Pick 2").click()
    expect(page.get_by_text(re.compile("Picked .*added to your favourites"))).to_be_visible()
    expect(page.locator(".toolbar .fav button")).to_have_attribute("aria-pressed", "true")
    assert Favourite.objects.filter(user=studio["editor"], asset=second).exists()

    visit(page, f"/assets/{studio['wide'].pk}/")
    page.get_by_role("link", name="Use prompt and settings").click()
    expect(page.get_by_label("Prompt")).to_have_value("Wide banner: coffee beans on teal, space for copy on the right")
    expect(page.get_by_label("Aspect ratio")).to_have_value("16:9")
    expect(page.get_by_label("Size")).to_have_value("512")

    visit(page, f"/assets/{studio['draft'].pk}/")
    page.get_by_role("link", name="Use as reference image").click()
    reference = page.get_by_role("checkbox", name=re.compile("Mia handing a cup"))
    expect(reference).to_be_checked()
    expect(page.locator("#image-counter")).to_have_text("1 of 14 input images")
    page.get_by_label("Prompt").fill("The same cup on a picnic blanket")
    page.get_by_role("button", name="Generate").click()
    expect(page.locator("#jobs .job").first).to_contain_text("The same cup on a picnic blanket")
    job = Generation.objects.get(prompt="The same cup on a picnic blanket")
    assert list(job.source_assets.all()) == [studio["draft"]]
    check_page(page, "generate-with-reference")


@WIDTHS
def test_titles_tags_favourites_and_bulk_actions_on_a_selection(studio, browse, size):
    project = studio["project"]
    page = visit(browse(studio["owner"], size), f"/assets/{studio['upload'].pk}/")
    page.get_by_text("Title and tags", exact=True).click()
    page.get_by_label("Title").fill("Shop window, Berlin")
    page.get_by_label("Tags").fill("Berlin, window")
    page.get_by_role("button", name="Save title and tags").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Shop window, Berlin")
    expect(page.get_by_role("link", name="#berlin")).to_be_visible()

    visit(page, f"/projects/{project.pk}/gallery/")
    star = page.locator("[data-tile]", has_text="Shop window, Berlin").get_by_role("button", name=re.compile("Favourite"))
    star.click()
    expect(star).to_have_attribute("aria-pressed", "true")
    open_filters(page)
    page.get_by_label("My favourites").check()
    expect(page.locator("#result-count")).to_contain_text("1 asset matches these filters")
    page.get_by_label("My favourites").uncheck()
    expect(page.locator("#result-count")).to_contain_text("9 assets")

    bar = page.get_by_role("form", name="Selected assets")
    expect(bar).to_be_hidden()
    for title in ["Wide banner", "Make the apron darker"]:
        page.locator("[data-tile]", has_text=title).get_by_role("checkbox").check()
    expect(bar).to_be_visible()
    expect(bar.get_by_role("status")).to_have_text("2 selected")
    check_page(page, "gallery-selection")
    with page.expect_download() as download:
        bar.get_by_role("button", name="Download zip").click()
    archive = zipfile.ZipFile(download.value.path())
    assert len([n for n in archive.namelist() if n.endswith(".png")]) == 2 and "manifest.json" in archive.namelist()

    bar.get_by_label("Tags").fill("launch")
    bar.get_by_role("button", name="Add tags").click()
    expect(page.get_by_text("Tagged 2 assets with launch")).to_be_visible()
    assert AssetTag.objects.filter(name="launch").count() == 2

    # The owner made the upload, so under four-eyes its approval is refused; the others go through.
    page.locator("[data-tile]", has_text="Wide banner").get_by_role("checkbox").check()
    page.locator("[data-tile]", has_text="Shop window, Berlin").get_by_role("checkbox").check()
    bar.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("Approved 1 asset.")).to_be_visible()
    expect(page.get_by_text(re.compile("Not approved: “Shop window, Berlin”: Four-eyes rule"))).to_be_visible()
    studio["wide"].refresh_from_db()
    studio["upload"].refresh_from_db()
    assert (studio["wide"].review_status, studio["upload"].review_status) == ("approved", "pending")
