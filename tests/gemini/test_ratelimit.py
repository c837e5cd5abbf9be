import time

import pytest

from apps.gemini import ratelimit
from apps.gemini.models import UpstreamSlot

pytestmark = pytest.mark.django_db

MODEL = "gemini-3.1-flash-image-preview"


def test_slots_are_spaced_by_the_limit(settings):
    settings.GEMINI_RPM = {"nano-banana-2": 120}  # one slot every 0.5 s
    waits = [ratelimit.reserve(MODEL) for _ in range(4)]
    assert waits[0] == pytest.approx(0, abs=0.05)
    assert [round(b - a, 1) for a, b in zip(waits, waits[1:])] == [0.5, 0.5, 0.5]


def test_no_limit_means_no_wait_and_no_rows(settings):
    settings.GEMINI_RPM = {}
    assert ratelimit.reserve(MODEL) == 0 and not UpstreamSlot.objects.exists()


def test_a_429_blocks_every_caller_until_the_retry_delay(settings):
    settings.GEMINI_RPM = {MODEL: 6000}
    ratelimit.slow_down(MODEL, 2.0)
    assert 1.8 < ratelimit.reserve(MODEL) <= 2.0
    assert UpstreamSlot.objects.get().blocked_until > time.time() + 1.5
