"""The Content Credentials panel in a real browser: it loads after the asset page, by htmx."""

import pytest
from playwright.sync_api import expect

from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory, stored_asset
from tests.integration.test_pages_in_browser import log_in

pytestmark = [
    pytest.mark.integration,
    # Like the other browser tests, this runs in the embedded stage; the panel does not depend on the profile.
    pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage"),
]


def test_the_asset_page_shows_its_content_credentials(browser_page, person, live_server):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    viewer = person(project, "viewer", "vic")
    asset = stored_asset(project, user=viewer)
    log_in(page, "vic")

    page.goto(f"/assets/{asset.pk}/")

    panel = page.locator("#content-credentials")
    expect(panel).to_contain_text("Valid, signed by an untrusted development certificate", timeout=20_000)
    expect(panel).to_contain_text("c2pa.opened")
    expect(panel.get_by_role("link", name="Download with Content Credentials")).to_have_attribute("href", f"/api/v1/assets/{asset.pk}/file/?credentials=1")
