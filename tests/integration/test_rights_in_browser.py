"""Rights in a real browser (issue 31): an owner records a release that has ended on a character's
library page; the draft, translation and 4K final made from it show expired everywhere (asset page
line and badge, gallery tiles and filter, the expiring-soon page); an override lets one through."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.conftest import SCALE_PROFILE
from tests.factories import LibraryEntryFactory, ProjectFactory, reference_image
from tests.integration.browser import DESKTOP, PHONE, check_page
from tests.integration.test_pages_in_browser import log_in
from tests.rights.conftest import made_with

pytestmark = [pytest.mark.integration, pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage")]


def test_a_release_recorded_on_the_library_page_expires_what_was_made_from_it(browser_page, chromium, person, live_server, run_tasks_inline):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    owner = person(project, "owner", "olga")
    mira = reference_image(LibraryEntryFactory(project=project, name="Mira"))
    draft = made_with(project, [mira], user=owner)
    translation = made_with(project, [], parents=[(draft, "translated_from")], kind="translate", user=owner)
    final = made_with(project, [], parents=[(translation, "upscaled_from")], kind="upscale", size="4K", user=owner)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    log_in(page, "olga")

    page.goto(f"/library/{mira.entry_id}/")
    form = page.locator("form.rights-form")
    form.get_by_label("Holder").fill("Mira Jones")
    form.get_by_label("Kind").select_option("talent_release")
    form.get_by_label("Territories").fill("de, at, ch")
    form.get_by_label("Ends").fill(yesterday)
    form.get_by_role("button", name="Record right").click()

    expect(page.locator(".messages, [role=status]").first).to_contain_text("Recorded the talent release from Mira Jones on 1 image")
    expect(page.locator(".rights-table")).to_contain_text("AT, CH, DE")

    page.goto(f"/assets/{final.pk}/")
    expect(page.locator("#rights-line")).to_have_text(f"Expired: was valid in AT, CH, DE until {yesterday}, from the talent release for Mira (Mira Jones).")
    expect(page.locator(".toolbar .badge.rights-expired")).to_have_text("Rights expired")
    expect(page.locator("#download-refused")).to_be_visible()
    expect(page.get_by_role("link", name="Download")).to_have_count(0)
    # the Content Credentials panel says why it cannot sign, inside the panel (not a page in the page)
    expect(page.locator("#content-credentials")).to_contain_text("The rights to use this asset ended on")
    expect(page.get_by_role("heading", name="Not done")).to_have_count(0)

    page.goto(f"/projects/{project.pk}/gallery/")
    expect(page.locator(".tile .badge.rights-expired")).to_have_count(3)
    page.get_by_label("Rights").select_option("expired")
    expect(page.locator("#result-count")).to_contain_text("3 assets match")

    page.goto(f"/projects/{project.pk}/rights/")
    expect(page.locator("#rights-summary")).to_contain_text("3 expired")
    expect(page.locator("#expiring tbody tr")).to_have_count(3)

    page.goto(f"/assets/{final.pk}/")
    override = page.locator("form.rights-override-form")
    override.get_by_label("Reason").fill("Renewal signed, paper on file")
    override.get_by_label("Until").fill((timezone.localdate() + timedelta(days=5)).isoformat())
    override.get_by_role("button", name="Record override").click()
    expect(page.locator(".rights-override")).to_contain_text("Renewal signed, paper on file")
    expect(page.locator("#rights-line")).to_contain_text("Used under an override until")
    expect(page.locator("#download")).to_be_visible()
    expect(page.locator("#placements").get_by_role("link", name="Download").first).to_be_visible()  # the placements too
    response = page.request.get(f"/api/v1/assets/{final.pk}/file/")
    assert response.status == 200
    assert page.request.get(f"/api/v1/assets/{draft.pk}/file/").status == 409
    assert not page.csp_violations

    for viewport in (DESKTOP, PHONE):
        context = chromium.new_context(base_url=live_server.url, viewport=viewport)
        try:
            wide = context.new_page()
            log_in(wide, "olga")
            wide.goto(f"/assets/{draft.pk}/")
            check_page(wide, "rights-asset-expired")
            wide.goto(f"/library/{mira.entry_id}/")
            check_page(wide, "rights-library-entry")
            wide.goto(f"/projects/{project.pk}/rights/")
            check_page(wide, "rights-expiring")
            wide.goto(f"/projects/{project.pk}/gallery/?rights=expired")
            check_page(wide, "rights-gallery")
        finally:
            context.close()
