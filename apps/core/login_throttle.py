"""One rule against password guessing for every door: the token endpoint, the login page and the
admin login. django-axes counts failures per account at an address (settings AXES_*): one
person's mistyped script locks that account from that address, not their colleagues behind the
same office address. A separate, much higher limit per address (LOGIN_ADDRESS_FAILURE_LIMIT)
stops one address trying a few passwords on many accounts. This module adds that second limit
and gives the refusal its words (the token view in apps/apikeys authenticates with the Django
request, so axes sees it)."""

from __future__ import annotations

import math

from axes.backends import AxesStandaloneBackend
from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone


def client_address(request) -> str | None:
    """The peer address, or the last hop of the header the operator's proxy sets (the one entry a
    client cannot forge)."""
    forwarded = request.META.get(settings.LOGIN_CLIENT_IP_HEADER) if settings.LOGIN_CLIENT_IP_HEADER else None
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def address_failures(request) -> int:
    """Failures from the request's address within the cool-off, whatever the account."""
    recent = AccessAttempt.objects.filter(ip_address=get_client_ip_address(request), attempt_time__gte=get_cool_off_threshold(request))
    return recent.aggregate(n=Sum("failures_since_start"))["n"] or 0


class LoginThrottleHandler(AxesDatabaseHandler):
    """Axes' per account-and-address count, with the address's own, higher limit on top: past
    it, the address counts as locked for every account."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return max(failures, settings.AXES_FAILURE_LIMIT)
        return failures


def seconds_until_unlocked(request, credentials=None) -> int:
    """A lock lifts one cool-off after the last counted failure of the locked account at this
    address, or of the address when the address itself is locked."""
    cool_off = get_cool_off(request)
    username = get_client_username(request, credentials)
    address = get_client_ip_address(request)
    matching = Q(ip_address=address, username=username)
    if address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
        matching = Q(ip_address=address)
    last = AccessAttempt.objects.filter(matching).aggregate(last=Max("attempt_time"))["last"]
    if cool_off is None or last is None:
        return int(cool_off.total_seconds()) if cool_off else 0
    return max(1, math.ceil((last + cool_off - timezone.now()).total_seconds()))


def lockout_response(request, original_response=None, credentials=None):
    """429 with Retry-After: JSON in the API's error shape, a page for the two login forms."""
    seconds = seconds_until_unlocked(request, credentials)
    message = f"Too many failed logins for this account from this address, or from this address. Try again in {seconds} s."
    if request.path.startswith("/api/"):
        body = {"error": {"code": "too_many_failed_logins", "message": message, "details": {"retry_after_seconds": seconds}}}
        response = JsonResponse(body, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"message": message, "seconds": seconds}, status=429)
    response["Retry-After"] = str(seconds)
    return response


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lock check for every login that comes with a request (all three doors pass theirs).
    A call without one (a shell, a test client's login()) has no address to count: it passes on
    to the password check instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
