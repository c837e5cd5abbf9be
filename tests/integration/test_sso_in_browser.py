"""Single sign-on in Chromium against a real OpenID Connect provider started by the test
(tests/oidc_provider.py): the browser goes from the login page to the provider's sign-in page
and back, as with Keycloak or Entra ID."""

import copy

import pytest
from playwright.sync_api import expect

from apps.projects.invitations import invitation_send
from apps.projects.models import Membership
from tests.accounts.conftest import oidc_provider, provider  # noqa: F401 (fixtures)
from tests.conftest import SCALE_PROFILE
from tests.factories import ProjectFactory, UserFactory
from tests.integration.test_guest_review_in_browser import check_at_both_widths

pytestmark = [pytest.mark.integration, pytest.mark.skipif(SCALE_PROFILE, reason="browser tests run in the embedded stage")]


@pytest.fixture
def sso(provider, settings):  # noqa: F811 (the fixture, imported above)
    """The provider, with the logout form allowed to answer with a redirect to it (CSP form-action)."""
    policy = copy.deepcopy(settings.CONTENT_SECURITY_POLICY)
    policy["DIRECTIVES"]["form-action"].append(provider.issuer)
    settings.CONTENT_SECURITY_POLICY = policy
    settings.OIDC_BUTTON_LABEL = "Sign in with Brand ID"
    return provider


def at_provider_sign_in(page, login: str, *, tamper_state: bool = False) -> None:
    page.goto("/login/")
    page.get_by_role("link", name="Sign in with Brand ID").click()
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    if tamper_state:
        page.evaluate("document.querySelector('input[name=state]').value += 'x'")
    page.get_by_label("Login").fill(login)
    page.get_by_role("button", name="Sign in").click()


def test_first_sign_in_accepts_the_invitation_then_logout_ends_both_sessions(browser_page, chromium, live_server, sso, transactional_db):
    page = browser_page
    project = ProjectFactory(name="Autumn launch")
    owner = UserFactory()
    Membership.objects.create(project=project, user=owner, role="owner")
    invitation_send(project=project, email="ana@brand.example", role="reviewer", actor=owner, accept_url=lambda token: f"/invitations/{token}/")
    sso.person("ana", email="ana@brand.example", name="Ana Lima")
    check_at_both_widths(chromium, live_server, [], "/login/", "login-with-sso")

    at_provider_sign_in(page, "ana")

    expect(page.get_by_role("heading", name="Your projects")).to_be_visible()
    expect(page.get_by_role("link", name="Autumn launch")).to_be_visible()
    expect(page.locator("header.site .account")).to_contain_text("ana@brand.example")

    page.get_by_role("button", name="Log out").click()

    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert len(sso.logouts) == 1 and sso.logouts[0]["id_token_hint"]
    page.goto("/projects/")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()


@pytest.mark.parametrize(("setup", "login", "says"), [
    (lambda p: p.person("eve", email="eve@elsewhere.example"), "eve", "Accounts of elsewhere.example may not sign in here"),
    (lambda p: (p.person("ana", email="ana@brand.example"), setattr(p, "token_lifetime", -300)), "ana", "the ID token has expired"),
], ids=["wrong-domain", "expired-id-token"])
def test_refused_sign_ins_say_why(browser_page, sso, transactional_db, setup, login, says):
    setup(sso)

    at_provider_sign_in(browser_page, login)

    expect(browser_page.get_by_role("alert")).to_contain_text(says)
    browser_page.goto("/projects/")
    expect(browser_page.get_by_role("heading", name="Log in")).to_be_visible()


def test_a_tampered_state_is_refused(browser_page, sso, transactional_db):
    sso.person("ana", email="ana@brand.example")

    at_provider_sign_in(browser_page, "ana", tamper_state=True)

    expect(browser_page.get_by_role("alert")).to_contain_text("state mismatch")
    assert sso.token_requests == []
