"""A campaign on the pages, in a real browser with a real worker and the emulator: an editor fills
the empty form and runs the stages, a reviewer works the grid by keyboard, the editor downloads
the export. Prints the number of user actions it took (clicks, key presses, fields filled).

CI runs a small campaign (2 cells, 1 language, one version rejected). CAMPAIGN_BROWSER_SIZE=full
runs the 36-final campaign of the issue (3 products x 2 scenes x 2 formats x source + 2 languages)
at 4K, for the figure the closing note quotes."""

import hashlib
import json
import os
import re
import zipfile

import pytest
from playwright.sync_api import expect

from apps.library.models import EntryKind
from tests.factories import LibraryEntryFactory, ProjectFactory, reference_image

pytestmark = pytest.mark.integration

SIZES = {
    "small": {"products": 1, "scenes": ["morning run in a city park"], "formats": ["4:5", "9:16"], "languages": ["German"],
              "final_size": "2K", "reject_one": True},
    "full": {"products": 3, "scenes": ["morning run in a city park", "sunset trail in the hills"], "formats": ["4:5", "9:16"],
             "languages": ["German", "French"], "final_size": "4K", "reject_one": False},
}
PENDING = '#grid .ctile[data-review="pending"]'


class Actions:
    """Counts what a person does: every click, key press, field filled and page opened goes through here."""

    def __init__(self):
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def select(self, locator, value):
        self.count += 1
        locator.select_option(value)

    def focus(self, locator):
        """Reaching a square of the grid (a click or a Tab in real use)."""
        self.count += 1
        locator.focus()

    def press(self, page, key):
        self.count += 1
        page.keyboard.press(key)

    def goto(self, page, url):
        self.count += 1
        page.goto(url)


def log_in(page, username):
    page.goto("/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()


def tile(page, col, row=0):
    return page.locator(f'#grid .ctile[data-row="{row}"][data-col="{col}"]')


def test_a_campaign_from_empty_form_to_export_on_the_pages(browser_page, chromium, live_server, person, worker, upstream, tmp_path):
    size = SIZES[os.environ.get("CAMPAIGN_BROWSER_SIZE", "small")]
    project = ProjectFactory(name="Trail Co", brief="Bright, optimistic.")
    person(project, "editor", "erin")
    person(project, "reviewer", "rita")
    character = LibraryEntryFactory(project=project, kind=EntryKind.CHARACTER, name="Mia", description="a runner")
    reference_image(character, colour=(200, 40, 40))
    names = ["Trail One", "Road Two", "Track Three"][: size["products"]]
    for i, name in enumerate(names):
        reference_image(LibraryEntryFactory(project=project, kind=EntryKind.OBJECT, name=name, description="a shoe"), colour=(20, 60 * i, 160))
    cells = len(names) * len(size["scenes"]) * len(size["formats"])
    versions = cells * (1 + len(size["languages"]))

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
    for name in names:
        me.click(editor.locator(".picker label", has_text=name))
    me.click(editor.locator(".picker label", has_text="Mia"))
    me.fill(editor.get_by_label("Scenes", exact=True), "\n".join(size["scenes"]))
    for ratio in size["formats"]:
        me.click(editor.locator(".shape-tile", has_text=ratio))
    for language in size["languages"]:
        me.click(editor.locator(".language label", has_text=language))
    me.fill(editor.get_by_label("Headline copy"), "Run brighter")
    if size["final_size"] != "4K":
        me.select(editor.get_by_label("Final size"), size["final_size"])
    expect(editor.locator("#summary-cells")).to_have_text(str(cells))
    expect(editor.locator("#summary-drafts")).to_have_text(str(cells * 2))
    expect(editor.locator("#summary-finalise")).to_have_text(str(versions))
    me.click(editor.get_by_role("button", name="Create campaign"))
    expect(editor.get_by_role("heading", name="Spring run")).to_be_visible()
    campaign_url = editor.url

    def run_stage(name, jobs):
        editor.reload()
        me.click(editor.get_by_role("button", name=re.compile(f"Run {name}: {jobs} job")))
        me.count += 1  # accepting the confirmation
        expect(editor.get_by_text(re.compile(f"{name.capitalize()}: {jobs} jobs created"))).to_be_visible()
        expect(editor.locator("#progress-note")).to_have_count(0, timeout=240_000)  # the page updated itself to the end

    def approve_what_waits(expected):
        """One key per image: after each decision the focus moves to the next image waiting for one."""
        me.goto(reviewer, campaign_url)
        expect(reviewer.locator(PENDING)).to_have_count(expected)
        me.focus(reviewer.locator(PENDING).first)
        while reviewer.evaluate("document.activeElement.dataset.review === 'pending'"):
            me.press(reviewer, "a")
        expect(reviewer.locator("#decision-status")).to_have_text("All decisions saved.", timeout=60_000)
        expect(reviewer.locator(PENDING)).to_have_count(0)

    run_stage("drafts", cells)
    assert confirms[0].startswith(f"Drafts: create {cells} jobs, about $")
    # The reviewer compares the first cell's two variations side by side and picks the second.
    me.goto(reviewer, campaign_url)
    me.focus(tile(reviewer, 0))
    me.press(reviewer, "Enter")
    expect(reviewer.locator(".variation")).to_have_count(2)
    me.click(reviewer.get_by_role("button", name="Choose this one").nth(1))
    expect(reviewer.get_by_text("Chosen.")).to_be_visible()
    approve_what_waits(cells)  # approving a draft in a cell with none chosen makes it the chosen one
    expect(reviewer.locator("#grid .badge.approved")).to_have_count(cells)

    run_stage("localise", versions - cells)
    if size["reject_one"]:
        # A rejection needs a comment: the key moves to the comment box, Esc comes back.
        me.goto(reviewer, campaign_url)
        me.focus(reviewer.locator(PENDING).last)
        me.press(reviewer, "r")
        expect(reviewer.locator("#grid-comment")).to_be_focused()
        me.fill(reviewer.locator("#grid-comment"), "The headline is cut off")
        me.press(reviewer, "Escape")
        me.press(reviewer, "r")
        expect(reviewer.locator("#decision-status")).to_have_text("All decisions saved.")
        expect(reviewer.locator("#grid .badge.rejected")).to_have_count(1)
    rejected = 1 if size["reject_one"] else 0
    approve_what_waits(versions - cells - rejected)

    run_stage("finalise", versions - rejected)  # never the rejected version
    approve_what_waits(versions - rejected)

    editor.reload()
    with editor.expect_download(timeout=600_000) as download:  # the finals are signed with Content Credentials
        me.click(editor.get_by_role("link", name="Download approved finals (zip)"))
    path = tmp_path / "export.zip"
    download.value.save_as(path)
    archive = zipfile.ZipFile(path)
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["assets"]) == versions - rejected
    if size["reject_one"]:
        assert sorted(entry["file"] for entry in manifest["assets"]) == [
            "de/4x5/trail-one-1.png", "source/4x5/trail-one-1.png", "source/9x16/trail-one-1.png",
        ]
    for entry in manifest["assets"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["file_sha256"] and entry["content_credentials"]
    print(f"\nuser actions from an empty campaign form to the downloaded export "
          f"({cells} cells, {len(size['languages'])} languages, {versions - rejected} finals): {me.count}")
