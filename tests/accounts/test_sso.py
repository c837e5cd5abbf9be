"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider.py) over HTTP: the
platform's library fetches discovery, tokens and keys from it as from Keycloak. Django's test
client plays the browser here; tests/integration/test_sso_in_browser.py runs it in Chromium."""

from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.contrib.auth import get_user_model

from apps.accounts.models import SsoIdentity
from apps.audit.models import AuditAction, AuditEvent
from apps.projects.models import Invitation, Membership
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()


def provider_answer(client, provider, login: str, *, start="/oidc/authenticate/") -> str:
    """Start at the platform, sign in at the provider as `login`: the callback URL it sends back."""
    start_response = client.get(start)
    assert start_response.status_code == 302, start_response.content[:300]
    authorize = start_response["Location"]
    assert authorize.startswith(f"{provider.issuer}/authorize?")
    assert requests.get(authorize, timeout=5).status_code == 200  # the provider's sign-in page
    params = {key: values[0] for key, values in parse_qs(urlparse(authorize).query).items()}
    answer = requests.post(f"{provider.issuer}/authorize", data={**params, "login": login}, allow_redirects=False, timeout=5)
    assert answer.status_code == 302
    return answer.headers["Location"]


def callback(client, url: str):
    parsed = urlparse(url)
    return client.get(f"{parsed.path}?{parsed.query}")


def sign_in(client, provider, login: str):
    return callback(client, provider_answer(client, provider, login))


def signed_in_as(client):
    return client.get("/projects/").wsgi_request.user


def test_first_sign_in_creates_the_account_with_the_verified_email(client, provider):
    provider.person("ana", email="Ana@Brand.example", name="Ana Lima")

    response = sign_in(client, provider, "ana")

    assert response.status_code == 302 and response["Location"] == "/projects/"
    user = signed_in_as(client)
    assert user.is_authenticated and user.email == "ana@brand.example" and user.get_full_name() == "Ana Lima"
    assert not user.has_usable_password()
    assert SsoIdentity.objects.get(user=user).subject == "sub-ana"
    event = AuditEvent.objects.get(action=AuditAction.SSO_SIGNED_IN)
    assert event.project_id is None and event.after == {"issuer": provider.issuer, "account_created": True}


def test_the_flow_uses_pkce_state_and_nonce(client, provider):
    provider.person("ana", email="ana@brand.example")

    url = provider_answer(client, provider, "ana")
    params = parse_qs(urlparse(client.get("/oidc/authenticate/")["Location"]).query)
    callback(client, url)

    assert params["code_challenge_method"] == ["S256"] and params["nonce"][0] and params["state"][0]
    assert provider.token_requests[0]["code_verifier"]  # the provider checked it against the challenge


def test_a_second_sign_in_reaches_the_same_account_even_with_a_new_email(client, provider):
    person = provider.person("ana", email="ana@brand.example")
    sign_in(client, provider, "ana")
    first = signed_in_as(client)
    client.logout()
    person["email"] = "ana.lima@brand.example"

    sign_in(client, provider, "ana")

    assert signed_in_as(client).pk == first.pk and User.objects.count() == 1
    assert User.objects.get().email == "ana@brand.example"  # the account keeps its address; the identity records the new one
    assert SsoIdentity.objects.get().email == "ana.lima@brand.example"


def test_an_existing_password_account_with_that_email_is_the_one_signed_in_to(client, provider):
    existing = UserFactory(username="ana", email="ana@brand.example")
    provider.person("ana", email="ana@brand.example")

    sign_in(client, provider, "ana")

    assert signed_in_as(client).pk == existing.pk


def test_an_open_invitation_to_the_email_is_accepted_on_first_sign_in(client, provider):
    project = ProjectFactory(name="Autumn launch")
    owner = UserFactory()
    Membership.objects.create(project=project, user=owner, role="owner")
    from apps.projects.invitations import invitation_send

    invitation_send(project=project, email="bo@brand.example", role="reviewer", actor=owner, accept_url=lambda token: f"/invitations/{token}/")
    provider.person("bo", email="bo@brand.example")

    sign_in(client, provider, "bo")

    user = signed_in_as(client)
    assert Membership.objects.get(project=project, user=user).role == "reviewer"
    assert Invitation.objects.get().accepted_by == user
    assert "Autumn launch" in client.get("/projects/").content.decode()


def test_a_group_rule_gives_its_project_and_role(client, provider, settings):
    project = ProjectFactory()
    settings.OIDC_GROUP_ROLES = [f"brand-team={project.pk}:editor", "not a rule"]
    provider.person("cy", email="cy@brand.example", groups=["brand-team", "staff"])
    provider.person("di", email="di@brand.example", groups=["staff"])

    sign_in(client, provider, "cy")
    client.logout()
    sign_in(client, provider, "di")

    assert Membership.objects.get(project=project).user.email == "cy@brand.example"
    assert Membership.objects.get(project=project).role == "editor"


@pytest.mark.parametrize(("person", "says"), [
    ({"email": "eve@elsewhere.example"}, "Accounts of elsewhere.example may not sign in here. Allowed email domains: brand.example."),
    ({"email": "eve@brand.example", "email_verified": False}, "has not verified eve@brand.example"),
])
def test_a_wrong_domain_or_an_unverified_email_is_refused(client, provider, person, says):
    provider.person("eve", **person)

    response = sign_in(client, provider, "eve")

    assert response.status_code == 403 and says in response.content.decode()
    assert not signed_in_as(client).is_authenticated and not User.objects.exists()
    assert AuditEvent.objects.get(action=AuditAction.SSO_REFUSED).target == person["email"]


def test_a_tampered_state_is_refused(client, provider):
    provider.person("ana", email="ana@brand.example")
    url = provider_answer(client, provider, "ana")

    response = callback(client, url.replace("state=", "state=x"))

    assert response.status_code == 403 and "state mismatch" in response.content.decode()
    assert not signed_in_as(client).is_authenticated and provider.token_requests == []  # the code was never redeemed


def test_an_answer_for_another_browser_is_refused(client, provider):
    """Login CSRF: a code and state issued to the attacker's browser do not sign in the victim's."""
    from django.test import Client

    provider.person("mallory", email="mallory@brand.example")
    url = provider_answer(Client(), provider, "mallory")

    response = callback(client, url)

    assert response.status_code == 403 and not signed_in_as(client).is_authenticated


def test_an_expired_id_token_is_refused(client, provider):
    provider.person("ana", email="ana@brand.example")
    provider.token_lifetime = -300

    response = sign_in(client, provider, "ana")

    assert response.status_code == 403 and "the ID token has expired" in response.content.decode()
    assert not signed_in_as(client).is_authenticated


def test_a_token_signed_with_a_key_the_provider_does_not_publish_is_refused(client, provider):
    provider.person("ana", email="ana@brand.example")
    provider.sign_with_other_key = True

    response = sign_in(client, provider, "ana")

    assert response.status_code == 403 and "Signature verification failed" in response.content.decode()


def test_deactivated_at_the_provider_means_no_new_session(client, provider):
    provider.person("ana", email="ana@brand.example")
    sign_in(client, provider, "ana")
    client.logout()
    provider.people["ana"]["active"] = False

    response = sign_in(client, provider, "ana")

    assert response.status_code == 403 and "refused the sign-in (access_denied)" in response.content.decode()
    assert not signed_in_as(client).is_authenticated


def test_logout_ends_the_providers_session_too(client, provider):
    provider.person("ana", email="ana@brand.example")
    sign_in(client, provider, "ana")

    response = client.post("/logout/")

    assert response.status_code == 302 and response["Location"].startswith(f"{provider.issuer}/logout?")
    query = parse_qs(urlparse(response["Location"]).query)
    assert query["post_logout_redirect_uri"] == ["http://testserver/login/"] and query["id_token_hint"][0].count(".") == 2
    assert not signed_in_as(client).is_authenticated


def test_a_password_account_logs_out_to_the_login_page(client, provider):
    client.force_login(UserFactory())
    response = client.post("/logout/")
    assert response.status_code == 302 and response["Location"] == "/login/"


def test_repeated_sso_failures_from_one_address_are_throttled(client, provider, settings):
    settings.AXES_FAILURE_LIMIT = 3
    provider.person("eve", email="eve@elsewhere.example")
    statuses = [sign_in(client, provider, "eve").status_code for _ in range(2)]
    statuses.append(callback(client, provider_answer(client, provider, "eve")).status_code)  # the third failure locks

    response = client.get("/oidc/authenticate/")

    assert statuses == [403, 403, 429]

    assert response.status_code == 429 and "Try again in" in response.content.decode()


def test_the_login_page_offers_the_button_and_sso_only_hides_passwords(client, provider, settings):
    settings.OIDC_BUTTON_LABEL = "Sign in with Brand Google"
    page = client.get("/login/").content.decode()
    assert "Sign in with Brand Google" in page and 'name="password"' in page

    settings.SSO_ONLY = True
    page = client.get("/login/").content.decode()
    user = UserFactory(username="pat")
    user.set_password("a long passphrase 1")
    user.save()

    assert "Sign in with Brand Google" in page and 'name="password"' not in page
    assert client.post("/login/", {"username": "pat", "password": "a long passphrase 1"}).status_code == 403
    assert not signed_in_as(client).is_authenticated


def test_without_an_issuer_there_is_no_sso(client, settings):
    settings.OIDC_ISSUER = ""
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "company account" not in client.get("/login/").content.decode()


def test_under_sso_only_the_admin_keeps_a_password_login_for_superusers_only(client, provider, settings):
    settings.SSO_ONLY = True
    staff = UserFactory(username="staffer", is_staff=True)
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    for user in (staff, root):
        user.set_password("a long passphrase 1")
        user.save()

    refused = client.post("/admin/login/", {"username": "staffer", "password": "a long passphrase 1"})
    assert refused.status_code == 200 and "Passwords are off here" in refused.content.decode()
    assert client.post("/admin/login/", {"username": "root", "password": "a long passphrase 1"}).status_code == 302
