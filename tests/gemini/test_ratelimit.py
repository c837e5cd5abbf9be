import time

import pytest

from apps.gemini import ratelimit
from apps.gemini.models import UpstreamSlot

pytestmark = pytest.mark.django_db

MODEL = "gemini-3.1-flash-image-preview"


def test_slots_are_spaced_by_the_limit(settings):
    settings.GEMINI_RPM = {"nano-banana-2": 120}  # one slot every 0.5 s
    now = time.time()
    slots = [ratelimit.reserve(MODEL) - now for _ in range(4)]
    assert slots[0] == pytest.approx(0, abs=0.05)
    assert [round(b - a, 1) for a, b in zip(slots, slots[1:])] == [0.5, 0.5, 0.5]


def test_no_limit_means_no_wait_and_no_rows(settings):
    settings.GEMINI_RPM = {}
    assert ratelimit.reserve(MODEL) <= time.time() and not UpstreamSlot.objects.exists()


def test_a_429_blocks_every_caller_until_the_retry_delay(settings):
    settings.GEMINI_RPM = {MODEL: 6000}
    ratelimit.slow_down(MODEL, 2.0)
    assert 1.8 < ratelimit.reserve(MODEL) - time.time() <= 2.0
    assert UpstreamSlot.objects.get().blocked_until > time.time() + 1.5


def test_a_far_turn_is_kept_reserved_and_handed_back_instead_of_slept(settings):
    settings.GEMINI_RPM = {"nano-banana-2": 2}  # one slot every 30 s
    ratelimit.acquire(MODEL, max_wait=5)  # the first turn is now
    started = time.monotonic()
    with pytest.raises(ratelimit.SlotLater) as later:
        ratelimit.acquire(MODEL, max_wait=5)
    assert time.monotonic() - started < 1  # nobody slept
    assert later.value.slot_at == pytest.approx(time.time() + 30, abs=1)
    # Coming back with the reservation keeps the same slot; nobody else took it meanwhile.
    assert ratelimit.reserve(MODEL, reserved_at=later.value.slot_at) == later.value.slot_at
    assert ratelimit.reserve(MODEL) == pytest.approx(later.value.slot_at + 30, abs=0.01)


def test_a_slot_reserved_before_a_429_gives_way_to_the_block(settings):
    settings.GEMINI_RPM = {"nano-banana-2": 60}
    early = ratelimit.reserve(MODEL)
    ratelimit.slow_down(MODEL, 20.0)  # a 429 says: nobody for 20 s
    again = ratelimit.reserve(MODEL, reserved_at=early)
    assert again >= UpstreamSlot.objects.get().blocked_until > early
