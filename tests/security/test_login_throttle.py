"""Item 1 of issue 18: password guessing is refused per account and per address on every door."""

from urllib.parse import urlencode

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DOORS = {
    "token": ("/api/v1/auth/token/", {}),
    "login page": ("/login/", {}),
    "admin login": ("/admin/login/", {"next": "/admin/"}),
}


@pytest.fixture(autouse=True)
def small_limit(settings):
    settings.AXES_FAILURE_LIMIT = 3


def attempt(client, door, username, password, address="203.0.113.7"):
    path, extra = DOORS[door]
    body = urlencode({"username": username, "password": password, **extra})  # what a browser form and `curl -d` send
    return client.post(path, body, content_type="application/x-www-form-urlencoded", REMOTE_ADDR=address)


@pytest.mark.parametrize("door", DOORS)
def test_failures_lock_the_account_then_even_the_right_password_is_refused(client, door):
    UserFactory(username="ana", is_staff=True)
    for _ in range(2):
        assert attempt(client, door, "ana", "wrong-guess").status_code in (200, 400)  # forms re-render, the API says 400
    assert attempt(client, door, "ana", "wrong-guess").status_code == 429  # the failure that reaches the limit
    refused = attempt(client, door, "ana", "pw-for-tests")
    assert refused.status_code == 429
    seconds = int(refused["Retry-After"])
    assert 0 < seconds <= 900
    assert f"Try again in {seconds} s" in refused.content.decode()


def test_a_colleague_at_the_same_address_still_signs_in_after_someone_elses_failures(client):
    """Issue 29 item 5: the lock is per account at an address. One mistyped script behind an
    office's shared address locks its own account there, not the office."""
    UserFactory(username="ana")
    UserFactory(username="ben")
    for _ in range(3):
        attempt(client, "token", "ana", "wrong")
    assert attempt(client, "token", "ana", "pw-for-tests").status_code == 429
    for door in DOORS:
        assert attempt(client, door, "ben", "pw-for-tests").status_code in (200, 302), door
    for _ in range(5):  # the locked script keeps trying: refused, and not counted against the address
        assert attempt(client, "token", "ana", "wrong").status_code == 429
    assert attempt(client, "token", "ben", "pw-for-tests").status_code == 200


def test_the_lock_holds_for_that_account_from_that_address_only(client):
    UserFactory(username="ana")
    for _ in range(3):
        attempt(client, "token", "ana", "wrong", address="198.51.100.1")
    refused = attempt(client, "token", "ana", "pw-for-tests", address="198.51.100.1")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "too_many_failed_logins"
    assert attempt(client, "token", "ana", "pw-for-tests", address="192.0.2.50").status_code == 200


def test_password_spraying_from_one_address_locks_that_address_at_its_higher_limit(client, settings):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6  # much higher than the per-account 3 of these tests
    UserFactory(username="ben")
    for n in range(5):
        attempt(client, "login page", f"someone{n}", "Summer2026!")
    assert attempt(client, "token", "ben", "pw-for-tests").status_code == 200  # 5 < 6: still open
    attempt(client, "login page", "someone-else", "Summer2026!")
    refused = attempt(client, "token", "ben", "pw-for-tests")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 900
    assert attempt(client, "token", "ben", "pw-for-tests", address="192.0.2.99").status_code == 200


def test_a_success_before_the_limit_resets_the_count(client):
    UserFactory(username="ana")
    for _ in range(2):
        attempt(client, "token", "ana", "wrong")
    assert attempt(client, "token", "ana", "pw-for-tests").status_code == 200
    for _ in range(2):
        attempt(client, "token", "ana", "wrong")
    assert attempt(client, "token", "ana", "pw-for-tests").status_code == 200


def test_the_lock_lifts_after_the_cool_off(client, settings):
    from datetime import timedelta

    from axes.models import AccessAttempt
    from django.utils import timezone

    UserFactory(username="ana")
    for _ in range(3):
        attempt(client, "token", "ana", "wrong")
    AccessAttempt.objects.update(attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1))
    assert attempt(client, "token", "ana", "pw-for-tests").status_code == 200


@pytest.mark.parametrize("password", ["password123", "qwertyuiop", "48151623424815"])
def test_common_and_numeric_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, user=UserFactory.build(username="ana"))
