"""A campaign on the pages, in a real browser with a real worker and the emulator: an editor fills
the empty form and runs the stages, a reviewer works the grid by keyboard (and by tap on a
phone), the editor downloads the export. Each hands over to the other through the page's "next
step" banner. Prints the number of user actions it took (logging in, page loads, clicks, key
presses, fields filled), step by step; the demo campaign's clean path must take at most 60.

Every state of the campaign page is looked at for both people at 1440 and 390 px: screenshots,
no sideways scroll, and axe-core with no serious or critical violation, under the pages' real
Content Security Policy (axe is served as a same-origin static file, never with the CSP bypassed).

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
from tests.integration.browser import DESKTOP, PHONE, check_page, sideways_scroll

pytestmark = pytest.mark.integration

SIZES = {
    "small": {"products": 1, "scenes": ["morning run in a city park"], "formats": ["4:5", "9:16"], "languages": ["German"],
              "final_size": "2K", "reject_one": True},
    "full": {"products": 3, "scenes": ["morning run in a city park", "sunset trail in the hills"], "formats": ["4:5", "9:16"],
             "languages": ["German", "French"], "final_size": "4K", "reject_one": False},
}
PENDING = '#grid .ctile[data-review="pending"]'


class Actions:
    """Counts what a person does: every click, key press, field filled and page opened goes through
    here, by step (`step("…")`), so the breakdown can be printed."""

    def __init__(self):
        self.count = 0
        self.steps: dict[str, int] = {}
        self.current = "start"

    def step(self, name):
        self.current = name
        self.steps.setdefault(name, 0)

    def add(self, n=1):
        self.count += n
        self.steps[self.current] = self.steps.get(self.current, 0) + n

    def click(self, locator):
        self.add()
        locator.click()

    def fill(self, locator, text):
        self.add()
        locator.fill(text)

    def select(self, locator, value):
        self.add()
        locator.select_option(value)

    def focus(self, locator):
        """Reaching a square of the grid (a click or a Tab in real use)."""
        self.add()
        locator.focus()

    def press(self, page, key):
        self.add()
        page.keyboard.press(key)

    def goto(self, page, url):
        self.add()
        page.goto(url)

    def reload(self, page):
        self.add()
        page.reload()

    def breakdown(self) -> str:
        return "\n".join(f"  {count:3d}  {name}" for name, count in self.steps.items())


def log_in(page, username, actions=None):
    page.goto("/login/")
    fill = actions.fill if actions else (lambda locator, text: locator.fill(text))
    click = actions.click if actions else (lambda locator: locator.click())
    fill(page.get_by_label("Username"), username)
    fill(page.get_by_label("Password"), "correct horse battery")
    click(page.get_by_role("button", name="Log in"))
    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()


def tile(page, col, row=0):
    return page.locator(f'#grid .ctile[data-row="{row}"][data-col="{col}"]')


def look_at(page, name):
    """The page as it is now at 1440 and at 390 px (screenshots, no sideways scroll, axe), then back."""
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        check_page(page, name)
    page.set_viewport_size(DESKTOP)


def new_person_page(chromium, live_server):
    context = chromium.new_context(base_url=live_server.url, viewport=DESKTOP)
    context.set_default_timeout(15_000)
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));"
    )
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
    return page


def test_a_campaign_from_empty_form_to_export_on_the_pages(browser_page, chromium, live_server, person, worker, upstream, tmp_path):
    size = SIZES[os.environ.get("CAMPAIGN_BROWSER_SIZE", "small")]
    full = os.environ.get("CAMPAIGN_BROWSER_SIZE") == "full"
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
    rejected = 1 if size["reject_one"] else 0

    editor = browser_page
    editor.set_viewport_size(DESKTOP)
    reviewer = new_person_page(chromium, live_server)
    me = Actions()
    confirms = []
    for page in (editor, reviewer):
        page.on("dialog", lambda dialog: (confirms.append(dialog.message), dialog.accept()))

    me.step("log in (editor and reviewer, once each)")
    log_in(editor, "erin", me)
    log_in(reviewer, "rita", me)

    me.step("new campaign form")
    me.goto(editor, f"/projects/{project.pk}/campaigns/new/")
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
    look_at(editor, "campaign-new")
    # On a phone the summary (what it makes and costs) comes before Create.
    editor.set_viewport_size(PHONE)
    assert editor.locator("#summary").bounding_box()["y"] < editor.locator("#create-campaign").bounding_box()["y"]
    editor.set_viewport_size(DESKTOP)
    me.click(editor.get_by_role("button", name="Create campaign"))
    expect(editor.get_by_role("heading", name="Spring run")).to_be_visible()
    campaign_url = editor.url
    expect(editor.locator("#next-step")).to_contain_text(f"Your next step: Drafts are ready to run ({cells} job")
    expect(editor.locator("#export")).to_be_disabled()
    expect(editor.locator("#export")).to_contain_text(f"0 of {versions} approved")
    look_at(editor, "campaign-0-created-editor")

    def run_stage(name, jobs, *, note=""):
        me.step(f"editor: {name}")
        if editor.url != campaign_url:
            me.goto(editor, campaign_url)
        else:
            me.reload(editor)  # the hand-over: the editor opens the page when the banner says it is their turn
        expect(editor.locator("#next-step")).to_contain_text(re.compile(f"{name.capitalize()} (is|are) ready to run \\({jobs} job"))
        if not (name == "finalise" and rejected):  # a rejected translation keeps localise open (to redo it)
            expect(editor.locator(f"#stage-{name}")).to_have_attribute("aria-current", "step")
        button = editor.get_by_role("button", name=re.compile(f"Run {name}: {jobs} job"))
        if note:
            expect(button).to_contain_text(note)
        me.click(button)
        me.add()  # accepting the confirmation
        expect(editor.locator("#run-note")).to_contain_text(f"{name.capitalize()}: {jobs} jobs")
        expect(editor.locator("#run-note")).to_contain_text(f"{jobs} jobs done", timeout=240_000)  # the page updated itself to the end
        expect(editor.locator("#progress-note, .messages")).to_have_count(0)

    def reviewer_opens(expected_waiting, what):
        """The hand-over to the reviewer: one page load, and the banner says what waits for them."""
        me.goto(reviewer, campaign_url)
        expect(reviewer.locator("#next-step")).to_contain_text(f"Your next step: {expected_waiting} {what}")
        expect(reviewer.locator("#grid .ctile").first).to_be_focused()  # the first tile is focused on load

    def approve_stage(stage, expected, *, passing_first):
        """The reviewer has looked at the stage on the grid: one press approves every waiting image
        whose brand checks passed (passing_first), one more (or the first) approves all that wait."""
        expect(reviewer.locator(PENDING)).to_have_count(expected)
        # The banner says while brand checks still run; the page updates itself when they are done.
        expect(reviewer.locator("#next-step")).not_to_contain_text("still being checked", timeout=240_000)
        if passing_first:
            me.click(reviewer.locator(f"#approve-passing-{stage}"))
            me.add()  # accepting the confirmation
            expect(reviewer.locator(".messages")).to_contain_text("whose checks passed")
        if reviewer.locator(PENDING).count():
            me.click(reviewer.locator(f"#approve-all-{stage}"))
            me.add()  # accepting the confirmation
            expect(reviewer.locator(".messages")).to_contain_text("waiting image")
        expect(reviewer.locator(PENDING)).to_have_count(0)

    def approve_by_keys(expected):
        """One key per image: after each decision the focus moves to the next image waiting for one."""
        expect(reviewer.locator(PENDING)).to_have_count(expected)
        if not reviewer.evaluate("document.activeElement.dataset.review === 'pending'"):
            me.focus(reviewer.locator(PENDING).first)
        while reviewer.evaluate("document.activeElement.dataset.review === 'pending'"):
            me.press(reviewer, "a")
        expect(reviewer.locator("#decision-status")).to_contain_text("All decisions saved.", timeout=60_000)
        expect(reviewer.locator(PENDING)).to_have_count(0)

    run_stage("drafts", cells)
    assert confirms[0].startswith(f"Drafts: create {cells} jobs, about $")
    expect(editor.locator("#next-step")).to_contain_text(f"{cells} drafts wait for a reviewer" if cells > 1 else "1 draft waits for a reviewer")
    look_at(editor, "campaign-1-drafts-editor")

    me.step("reviewer: drafts")
    reviewer_opens(cells, "draft")
    look_at(reviewer, "campaign-1-drafts-reviewer")
    # Space: a quick look at the focused tile, large; Esc closes it and the grid keeps its place.
    reviewer.keyboard.press("Space")
    expect(reviewer.locator("#quick-look")).to_be_visible()
    expect(reviewer.locator("#quick-look-image")).to_have_attribute("src", re.compile("/file/"))
    reviewer.keyboard.press("Escape")
    expect(tile(reviewer, 0)).to_be_focused()
    # The reviewer compares the first cell's two variations side by side and picks the second:
    # choosing is approving; the cell's other draft leaves the queue as "not chosen".
    me.press(reviewer, "Enter")
    expect(reviewer.locator(".variation")).to_have_count(2)
    look_at(reviewer, "campaign-cell")
    me.click(reviewer.get_by_role("button", name="Choose this one").nth(1))
    expect(reviewer.get_by_text("Chosen and approved.")).to_be_visible()
    expect(tile(reviewer, 0)).to_be_focused()  # back on the grid, on the tile it left
    if cells > 1 and full:
        approve_stage("drafts", cells - 1, passing_first=False)  # approving a cell's shown draft chooses it
    elif cells > 1:
        approve_by_keys(cells - 1)  # approving a draft in a cell with none chosen makes it the chosen one
    expect(reviewer.locator("#grid .badge.approved")).to_have_count(cells)
    expect(reviewer.locator("#next-step")).to_contain_text(f"Localise is ready to run ({versions - cells} job")
    expect(reviewer.locator("#next-step")).to_contain_text("waiting for an editor")

    run_stage("localise", versions - cells)
    me.step("reviewer: translations")
    reviewer_opens(versions - cells, "translation")
    look_at(reviewer, "campaign-2-localised-reviewer")
    if size["reject_one"]:
        # A rejection needs a comment: the key moves to the comment box, Ctrl+Enter sends it.
        me.focus(reviewer.locator(PENDING).last)
        reviewer.keyboard.press("Space")  # the quick look shows the translation beside its source, and its copy
        expect(reviewer.locator("#quick-look-source")).to_be_visible()
        expect(reviewer.locator("#quick-look-copy")).to_contain_text("Run brighter")
        reviewer.keyboard.press("Escape")
        me.press(reviewer, "r")
        expect(reviewer.locator("#grid-comment")).to_be_focused()
        me.fill(reviewer.locator("#grid-comment"), "The headline is cut off")
        me.press(reviewer, "Control+Enter")
        expect(reviewer.locator("#decision-status")).to_contain_text("All decisions saved.")
        expect(reviewer.locator("#grid .badge.rejected")).to_have_count(1)
        # On a phone: one card per cell, tiles two across, images in view, tap to approve.
        reviewer.set_viewport_size(PHONE)
        assert sideways_scroll(reviewer) <= 0
        first = reviewer.locator("#grid .ctile img").first.bounding_box()
        assert first["width"] > 120, first
        me.click(reviewer.locator(".tap-decide button[data-decision=approve]").first)
        expect(reviewer.locator("#decision-status")).to_contain_text("All decisions saved.")
        reviewer.set_viewport_size(DESKTOP)
    if reviewer.locator(PENDING).count():
        approve_stage("localise", versions - cells - rejected - (1 if size["reject_one"] else 0), passing_first=False)

    run_stage("finalise", versions - rejected)  # never the rejected version
    me.step("reviewer: finals")
    reviewer_opens(versions - rejected, "final")
    look_at(reviewer, "campaign-3-finalised-reviewer")
    approve_stage("finalise", versions - rejected, passing_first=not full)

    me.step("editor: download")
    me.reload(editor)
    expect(editor.locator("#next-step")).to_contain_text("Download")
    with editor.expect_download(timeout=600_000) as download:  # the finals are signed with Content Credentials
        me.click(editor.get_by_role("link", name=re.compile(f"Download {versions - rejected} approved finals")))
    look_at(editor, "campaign-4-finished-editor")
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
    assert reviewer.csp_violations == [], reviewer.csp_violations
    reviewer.context.close()
    print(f"\nuser actions from logging in to the downloaded export, hand-overs included "
          f"({cells} cells, {len(size['languages'])} languages, {versions - rejected} finals): {me.count}\n{me.breakdown()}")
    if full:
        assert me.count <= 60, me.breakdown()


def test_a_decider_sees_refusals_counted_by_reason_and_a_phone_grid_of_cards(browser_page, live_server, person, worker, upstream):
    """An owner (a decider) who ran the translations but not the drafts: the grid's keys work for
    the drafts, and `a` on a translation they made is refused and counted on the status line
    ("1 refused: four-eyes rule"), not shown as "All decisions saved." Then the same page on a phone."""
    from apps.campaigns import services
    from apps.campaigns.models import Campaign
    from apps.generations.models import UNFINISHED, Generation
    from tests.campaigns.helpers import campaign_body, library
    from tests.waiting import wait_for

    project = ProjectFactory(name="Trail Co")
    erin = person(project, "editor", "erin")
    olga = person(project, "owner", "olga")
    character, products = library(project)
    body = campaign_body(character, products, formats=["4:5", "9:16"])
    campaign = services.campaign_create(project=project, user=erin, data=services.CampaignInput(
        name=body["name"], products=[p.pk for p in products], characters=[character.pk], scenes=body["scenes"],
        formats=body["formats"], languages=body["languages"], copy=body["copy"], variations=2,
        draft=body["draft"], final=body["final"],
    ))
    done = lambda: not Generation.objects.filter(status__in=UNFINISHED).exists()  # noqa: E731
    services.campaign_run(campaign=campaign, user=erin, stage="drafts")
    wait_for(done, timeout=120, what="drafts done")
    first = Campaign.objects.get(pk=campaign.pk).cells.order_by("position").first()
    draft = first.jobs.get().generation.assets.order_by("output_index").first()
    services.cell_choose(user=olga, cell=first, asset_id=draft.pk)  # olga did not make it: approved
    services.campaign_run(campaign=campaign, user=olga, stage="localise")
    wait_for(done, timeout=120, what="translation done")

    page = browser_page
    page.set_viewport_size(DESKTOP)
    log_in(page, "olga")
    page.goto(f"/campaigns/{campaign.pk}/")
    expect(page.locator("#grid-decision")).to_be_visible()  # the other cell's drafts are hers to decide
    translation = page.locator('#grid .ctile[data-own="true"][data-review="pending"]')
    expect(translation).to_have_count(1)
    translation.focus()
    page.keyboard.press("a")
    expect(page.locator("#decision-status")).to_contain_text("1 refused: four-eyes rule")
    expect(page.locator("#decision-status")).not_to_contain_text("All decisions saved.")
    # No tap buttons on her own work; the editor's drafts have them (on a phone).
    page.set_viewport_size(PHONE)
    assert sideways_scroll(page) <= 0
    expect(page.locator(".tap-decide")).to_have_count(1)
    expect(page.locator(".tap-decide button[data-decision=approve]")).to_be_visible()
    box = page.locator("#grid tr").nth(1).bounding_box()
    assert box["width"] <= PHONE["width"], box


def test_a_comment_being_typed_keeps_its_focus_while_the_grid_refreshes_itself(browser_page, person):
    """While brand checks run the board refreshes itself every 2 s. A reviewer who pressed `r` is
    typing the reason: each refresh keeps the comment box focused with its text and caret, and a
    tile that had the focus keeps it too (CI once lost the key press that followed a refresh)."""
    from apps.assets.models import Asset
    from tests.factories import asset_check
    from tests.workflow.helpers import campaign_with_drafts

    project = ProjectFactory(name="Trail Co")
    erin = person(project, "editor", "erin")
    person(project, "reviewer", "rita")
    campaign = campaign_with_drafts(project, erin, drafts=2)
    first, _ = Asset.objects.filter(generation__campaign_job__cell__campaign=campaign).order_by("created_at")
    asset_check(first, checking=True)  # still being checked: the board polls

    page = browser_page
    log_in(page, "rita")
    page.goto(f"/campaigns/{campaign.pk}/")
    expect(page.locator("#next-step")).to_contain_text("still being checked")
    next_refresh = "new Promise((done) => document.body.addEventListener('htmx:afterSwap', done, {once: true}))"

    page.locator(PENDING).last.focus()
    page.evaluate(next_refresh)
    expect(page.locator(PENDING).last).to_be_focused()  # the refreshed tile, same place
    page.keyboard.press("Space")  # a quick look open while the grid under it refreshes
    expect(page.locator("#quick-look")).to_be_visible()
    page.evaluate(next_refresh)
    page.keyboard.press("Escape")

    page.keyboard.press("r")
    comment = page.locator("#grid-comment")
    expect(comment).to_be_focused()
    page.keyboard.type("The cap is the wrong")
    page.evaluate(next_refresh)
    page.evaluate(next_refresh)
    expect(comment).to_be_focused()
    page.keyboard.type(" colour")
    expect(comment).to_have_value("The cap is the wrong colour")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#decision-status")).to_contain_text("All decisions saved.")
    assert Asset.objects.filter(review_status="rejected").count() == 1
