"""Item 9 of issue 18: a Content-Security-Policy without unsafe-inline scripts, under which the
pages work. The other browser tests run under it too (the browser_page fixture fails a test on
any violation); these add the header itself, the policy biting, the admin and the API docs."""

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.factories import ProjectFactory, stored_asset

pytestmark = pytest.mark.integration


def directives(header: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_carry_a_policy_without_inline_scripts(live_server):
    header = requests.get(live_server.url + "/login/", timeout=10).headers["Content-Security-Policy"]
    policy = directives(header)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]


def test_an_injected_inline_script_is_blocked(browser_page):
    page = browser_page
    page.goto("/login/")
    page.evaluate("() => { const s = document.createElement('script'); s.textContent = 'window.injected = true'; document.body.append(s); }")
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    assert page.evaluate("window.injected") is None
    assert any("script-src" in v for v in page.csp_violations)
    page.csp_violations.clear()  # the one violation this test caused on purpose


def test_the_admin_and_the_api_docs_work_under_the_policy(browser_page, person):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    admin = person(project, "owner", "olga")
    admin.is_staff = admin.is_superuser = True
    admin.save()
    stored_asset(project, user=admin)

    page.goto("/admin/login/")
    page.get_by_label("Username").fill("olga")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Log in").click()
    page.goto("/admin/assets/asset/")
    page.locator("#result_list tbody a").first.click()
    expect(page.locator("img[alt=preview]").first).to_be_visible()

    page.goto("/api/docs/")
    expect(page.get_by_role("heading", name=re.compile("Brand image platform API"))).to_be_visible(timeout=30_000)
