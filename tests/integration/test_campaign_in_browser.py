"""A campaign on the pages, in a real browser with a real worker and the emulator: an editor fills
the empty form and runs the stages, a reviewer works the grid by keyboard, the editor downloads
the export. Prints the number of user actions it took (clicks, key presses, fields filled)."""

import hashlib
import json
import re
import zipfile

import pytest
from playwright.sync_api import expect

from apps.library.models import EntryKind
from tests.factories import LibraryEntryFactory, ProjectFactory, reference_image

pytestmark = pytest.mark.integration


class Actions:
    """Counts what a person does: every click, key press and field filled goes through here."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def press(self, page, key):
        self.count += 1
        page.keyboard.press(key)

    def select(self, locator, value):
        self.count += 1
        locator.select_option(value)

    def focus(self, locator):
        """Reaching a tile (a click or a Tab in real use)."""
        self.count += 1
        locator.focus()

    def goto(self, page, url):
        self.count += 1
        page.goto(url)


def log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()


def tile(page, col):
    return page.locator(f'#grid .ctile[data-row="0"][data-col="{col}"]')


def test_a_campaign_from_empty_form_to_export_on_the_pages(browser_page, chromium, live_server, person, worker, upstream, tmp_path):
    project = ProjectFactory(name="Trail Co", brief="Bright, optimistic.")
    person(project, "editor", "erin")
    person(project, "reviewer", "rita")
    character = LibraryEntryFactory(project=project, kind=EntryKind.CHARACTER, name="Mia", description="a runner")
    reference_image(character, colour=(200, 40, 40))
    product = LibraryEntryFactory(project=project, kind=EntryKind.OBJECT, name="Trail One", description="a teal shoe")
    reference_image(product, colour=(20, 160, 160))

    editor = browser_page
    reviewer = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900}).new_page()
    reviewer.set_default_timeout(15_000)
    log_in(editor, "erin")
    log_in(reviewer, "rita")
    editor.goto(f"/projects/{project.pk}/campaigns/new/")
    me = Actions()
    confirms = []
    editor.on("dialog", lambda dialog: (confirms.append(dialog.message), dialog.accept()))

    # The empty form, with its live summary.
    me.fill(editor.get_by_label("Name", exact=True), "Spring run")
    me.click(editor.locator("label", has_text="Trail One"))
    me.click(editor.locator("label", has_text="Mia"))
    me.fill(editor.get_by_label("Scenes", exact=True), "morning run in a city park")
    me.click(editor.locator(".shape-tile", has_text="4:5"))
    me.click(editor.locator(".shape-tile", has_text="9:16"))
    me.click(editor.locator(".language label", has_text="German"))
    me.fill(editor.get_by_label("Headline copy"), "Run brighter")
    me.select(editor.get_by_label("Final size"), "2K")
    expect(editor.locator("#summary-cells")).to_have_text("2")
    expect(editor.locator("#summary-drafts")).to_have_text("4")
    expect(editor.locator("#summary-finalise")).to_have_text("4")
    me.click(editor.get_by_role("button", name="Create campaign"))
    expect(editor.get_by_role("heading", name="Spring run")).to_be_visible()
    campaign_url = editor.url

    def run_stage(name, jobs):
        me.click(editor.get_by_role("button", name=re.compile(f"Run {name}: {jobs} job")))
        me.count += 1  # accepting the confirmation
        expect(editor.get_by_text(re.compile(f"{name.capitalize()}: {jobs} jobs created"))).to_be_visible()
        expect(editor.locator("#progress-note")).to_have_count(0, timeout=60_000)  # the page updated itself to the end

    run_stage("drafts", 2)
    assert confirms == ["Drafts: create 2 jobs, about $0.18?"]

    # The reviewer picks the first cell's draft side by side, and approves the other's by keyboard.
    me.goto(reviewer, campaign_url)
    me.focus(tile(reviewer, 0))
    me.press(reviewer, "Enter")
    expect(reviewer.locator(".variation")).to_have_count(2)
    me.click(reviewer.get_by_role("button", name="Choose this one").nth(1))
    expect(reviewer.get_by_text("Chosen.")).to_be_visible()
    me.focus(tile(reviewer, 0))
    me.press(reviewer, "a")
    expect(tile(reviewer, 1)).to_be_focused()
    me.press(reviewer, "ArrowRight")
    me.press(reviewer, "a")
    expect(reviewer.locator("#grid .badge.approved")).to_have_count(2)

    editor.reload()
    run_stage("localise", 2)
    me.goto(reviewer, campaign_url)
    me.focus(tile(reviewer, 1))
    me.press(reviewer, "a")  # the German version of the first cell
    expect(tile(reviewer, 2)).to_be_focused()
    me.press(reviewer, "ArrowRight")
    # A rejection needs a comment: the key moves to the comment box, Esc comes back.
    me.press(reviewer, "r")
    expect(reviewer.locator("#grid-comment")).to_be_focused()
    me.fill(reviewer.locator("#grid-comment"), "The headline is cut off")
    me.press(reviewer, "Escape")
    me.press(reviewer, "r")
    expect(reviewer.locator("#grid .badge.rejected")).to_have_count(1)

    editor.reload()
    run_stage("finalise", 3)  # not the rejected German version of the second cell
    me.goto(reviewer, campaign_url)
    expect(reviewer.locator("#grid .ctile", has_text="final")).to_have_count(3)
    me.focus(tile(reviewer, 0))
    for _ in range(3):
        me.press(reviewer, "a")
    expect(reviewer.locator("#grid .badge.approved")).to_have_count(3)

    editor.reload()
    with editor.expect_download() as download:
        me.click(editor.get_by_role("link", name="Download approved finals (zip)"))
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    archive = zipfile.ZipFile(path)
    manifest = json.loads(archive.read("manifest.json"))
    assert sorted(entry["file"] for entry in manifest["assets"]) == [
        "de/4x5/trail-one-1.png", "source/4x5/trail-one-1.png", "source/9x16/trail-one-1.png",
    ]
    for entry in manifest["assets"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    print(f"\nuser actions from an empty campaign form to the downloaded export (2 cells, 1 language, 3 finals): {me.count}")
