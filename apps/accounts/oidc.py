"""OpenID Connect through mozilla-django-oidc: the library runs the authorization code flow with
PKCE, keeps state and nonce in the session and checks them, fetches the tokens and the provider's
keys over HTTP. This module adds what it leaves to its users: endpoints from the issuer's
discovery document, an ID token checked for issuer, audience and expiry as well as signature,
the account rules of apps.accounts.services, refusals a person can read (audited and counted by
the login throttle), and RP-initiated logout."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import jwt
import requests
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import render, resolve_url
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView, OIDCLogoutView

from apps.accounts.services import SsoRefused, email_of, sso_account_for, sso_refused_record, sso_signed_in_record
from apps.core.login_throttle import lockout_response

logger = logging.getLogger(__name__)

DISCOVERY_SECONDS = 3600
# mozilla-django-oidc's endpoint settings, read from the discovery document instead.
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def sso_enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def discovery() -> dict:
    """The issuer's /.well-known/openid-configuration, cached for an hour. Raises SsoRefused when
    the provider cannot be reached or describes another issuer."""
    key = f"oidc-discovery:{settings.OIDC_ISSUER}"
    document = cache.get(key)
    if document is None:
        url = f"{settings.OIDC_ISSUER}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as error:
            logger.warning("OpenID Connect discovery at %s failed: %s", url, error)
            raise SsoRefused("The company sign-in is unreachable just now; try again in a minute or ask your IT department.", "provider_unreachable")
        if str(document.get("issuer", "")).rstrip("/") != settings.OIDC_ISSUER:
            logger.error("OIDC_ISSUER is %s but its discovery document names %s", settings.OIDC_ISSUER, document.get("issuer"))
            raise SsoRefused("The company sign-in is misconfigured (the provider names another issuer); tell an administrator.", "issuer_mismatch")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def sso_setting(attr, *default):
    if attr in DISCOVERED:
        return discovery().get(DISCOVERED[attr]) or (default[0] if default else None)
    return import_from_settings(attr, *default)


class SsoBackend(OIDCAuthenticationBackend):
    """Answers only the callback's authenticate() call (it carries the session's nonce); a
    refusal is left on the request for the callback view to show, audit and count."""

    get_settings = staticmethod(sso_setting)

    def __init__(self, *args, **kwargs):
        self.UserModel = get_user_model()  # the endpoints are read on the callback only (discovery is a request)

    def authenticate(self, request, **kwargs):
        if request is None or "nonce" not in kwargs or "code" not in request.GET or not sso_enabled():
            return None
        request.sso_attempted = True
        try:
            super().__init__()
            return super().authenticate(request, **kwargs)
        except SsoRefused as refusal:
            request.sso_refusal = refusal
        except SuspiciousOperation as error:
            request.sso_refusal = SsoRefused(f"The identity provider's answer was refused: {error}. Sign in again.", "token_invalid")
        except requests.RequestException as error:
            logger.warning("OpenID Connect token exchange failed: %s", error)
            request.sso_refusal = SsoRefused("The identity provider refused the sign-in code or could not be reached; sign in again.", "token_exchange_failed")
        return None

    def _verify_jws(self, payload, key):
        """The signature with the provider's key, and the claims the library leaves unchecked:
        issuer, audience (this client), expiry and issue time (with OIDC_CLOCK_SKEW_SECONDS)."""
        try:
            algorithm = jwt.get_unverified_header(payload).get("alg")
            if algorithm != self.OIDC_RP_SIGN_ALGO:
                raise SuspiciousOperation(f"the ID token is signed with {algorithm}, not {self.OIDC_RP_SIGN_ALGO}")
            return jwt.decode(
                payload, key, algorithms=[algorithm], audience=self.OIDC_RP_CLIENT_ID, issuer=settings.OIDC_ISSUER,
                leeway=settings.OIDC_CLOCK_SKEW_SECONDS, options={"require": ["exp", "iat", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise SuspiciousOperation("the ID token has expired")
        except jwt.InvalidTokenError as error:
            raise SuspiciousOperation(f"the ID token is invalid ({error})")

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's for the same subject."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if str(info.get("sub")) != str(payload.get("sub")):
                raise SuspiciousOperation("the userinfo answer is about another subject than the ID token")
            claims.update(info)
        self.request.sso_email = email_of(claims)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        user, created = sso_account_for(issuer=settings.OIDC_ISSUER, claims=self.get_userinfo(access_token, id_token, payload))
        self.request.sso_created = created
        return user


def _refused_page(request, refusal: SsoRefused, status: int = 403):
    return render(request, "registration/login.html", {**login_context(), "form": AuthenticationForm(request), "sso_error": refusal.message},
                  status=status)


def login_context() -> dict:
    return {"sso_enabled": sso_enabled(), "sso_label": settings.OIDC_BUTTON_LABEL, "sso_only": settings.SSO_ONLY and sso_enabled()}


class SsoStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (state, nonce and the PKCE challenge in the session)."""

    get_settings = staticmethod(sso_setting)

    def __init__(self, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(**kwargs)  # endpoints are read per request below

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        if not AxesProxyHandler.is_allowed(request, {"username": None}):
            return lockout_response(request, credentials={"username": None})
        try:
            self.OIDC_OP_AUTH_ENDPOINT = sso_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SsoRefused as refusal:
            return _refused_page(request, refusal, status=502)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """The provider's answer. Success and every refusal are audited; refusals that never reached
    authenticate() (a tampered or replayed state, the provider's own refusal) are counted by the
    login throttle here, the others by Django's user_login_failed as for passwords."""

    get_settings = staticmethod(sso_setting)

    def get(self, request):
        if not sso_enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except SuspiciousOperation:
            request.sso_refusal = SsoRefused("This sign-in answer does not belong to a sign-in started in this browser (state mismatch). Start again.",
                                             "state_mismatch")
            return self.login_failure()

    def login_failure(self):
        request = self.request
        refusal = getattr(request, "sso_refusal", None)
        if refusal is None and request.GET.get("error"):
            refusal = SsoRefused(f"The identity provider refused the sign-in ({request.GET['error'][:60]}). "
                                 "If your account there is disabled, ask your IT department.", "provider_refused")
        elif refusal is None:
            refusal = SsoRefused("The sign-in could not be completed; start again from the sign-in page.", "incomplete")
        if not getattr(request, "sso_attempted", False):
            user_login_failed.send(sender=__name__, credentials={"username": None}, request=request)
        sso_refused_record(reason=refusal.message, code=refusal.code, email=getattr(request, "sso_email", ""))
        if getattr(request, "axes_locked_out", False):
            return lockout_response(request, credentials={"username": None})
        return _refused_page(request, refusal)

    def login_success(self):
        response = super().login_success()
        sso_signed_in_record(user=self.user, issuer=settings.OIDC_ISSUER, created=getattr(self.request, "sso_created", False))
        return response


def provider_logout_url(request) -> str:
    """Where signing out goes: the provider's end_session_endpoint (RP-initiated logout) when the
    person signed in through it and it has one, else our login page."""
    after = settings.LOGOUT_REDIRECT_URL_AFTER_PROVIDER or request.build_absolute_uri(resolve_url(settings.LOGOUT_REDIRECT_URL))
    id_token = request.session.get("oidc_id_token")
    if not id_token or not sso_enabled():
        return resolve_url(settings.LOGOUT_REDIRECT_URL)
    try:
        end_session = discovery().get("end_session_endpoint")
    except SsoRefused:
        end_session = None
    if not end_session:
        return resolve_url(settings.LOGOUT_REDIRECT_URL)
    return f"{end_session}?{urlencode({'id_token_hint': id_token, 'post_logout_redirect_uri': after, 'client_id': settings.OIDC_RP_CLIENT_ID})}"


class SsoLogoutView(OIDCLogoutView):
    """POST: ends our session, then the provider's where it supports RP-initiated logout."""
