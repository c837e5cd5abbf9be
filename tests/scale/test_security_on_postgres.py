"""Issue 18 on PostgreSQL behind gunicorn: parallel password guesses are all counted and lock the
account (no lost updates, no 500s)."""

from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.factories import UserFactory

pytestmark = pytest.mark.scale


def test_parallel_guesses_lock_the_account_and_none_is_lost(web_url, settings):
    user = UserFactory(username="target")
    user.password = PBKDF2PasswordHasher().encode("the-right-password", "saltsalt", iterations=1000)  # the server's hashers
    user.save(update_fields=["password"])
    url = web_url + "/api/v1/auth/token/"

    def guess(n):
        return requests.post(url, data={"username": "target", "password": f"guess-{n}"}, timeout=60).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        codes = list(pool.map(guess, range(24)))
    assert set(codes) <= {400, 429}, codes
    assert codes.count(400) <= settings.AXES_FAILURE_LIMIT  # at most the limit got through to a password check
    locked = requests.post(url, data={"username": "target", "password": "the-right-password"}, timeout=60)
    assert locked.status_code == 429 and "Try again in" in locked.json()["error"]["message"]
