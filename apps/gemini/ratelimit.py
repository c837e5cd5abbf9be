"""A requests-per-minute limit per model, shared by every worker through the database.

Each caller reserves the next free slot (slots are 60/RPM seconds apart) in one short locked
transaction. A slot due soon is slept for; a later one is kept and handed back (SlotLater), so the
job layer puts the job back on the queue until then instead of holding a worker thread. Callers
never spin, throughput stays at the limit, and bursts above it never reach the API. A 429 that
still arrives pushes `blocked_until` forward, which slows every worker, not only the one that got
it, and a slot reserved before the 429 that falls inside the block is given up for a new one. Works on SQLite (IMMEDIATE transactions
serialise writers across processes) and PostgreSQL (SELECT ... FOR UPDATE) alike.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction

from apps.gemini.catalogue import get_model
from apps.gemini.models import UpstreamSlot


def requests_per_minute(model_id: str) -> int:
    for name, rpm in settings.GEMINI_RPM.items():
        model = get_model(name)
        if model is not None and model.model_id == model_id:
            return int(rpm)
    return settings.GEMINI_RPM_DEFAULT


class SlotLater(Exception):
    """The caller's turn is further off than it should wait for in-thread; `slot_at` (Unix time) is
    reserved for it, so it can come back then and still have it."""

    def __init__(self, slot_at: float):
        super().__init__(f"next upstream slot at {slot_at:.1f}")
        self.slot_at = slot_at


def reserve(model_id: str, *, reserved_at: float | None = None) -> float:
    """The caller's slot: `reserved_at` if it still holds (no 429 has since blocked the model past it),
    otherwise the next free one. Returns the slot's Unix time (now when unlimited)."""
    now = time.time()
    rpm = requests_per_minute(model_id)
    if rpm <= 0:
        return now
    with transaction.atomic():
        slot, _ = UpstreamSlot.objects.select_for_update().get_or_create(model=model_id)
        if reserved_at is not None and reserved_at >= slot.blocked_until:
            return reserved_at
        start = max(now, slot.next_free_at, slot.blocked_until)
        slot.next_free_at = start + 60.0 / rpm
        slot.save(update_fields=["next_free_at"])
    return start


def acquire(model_id: str, *, reserved_at: float | None = None, max_wait: float | None = None) -> float:
    """Wait for this caller's turn to call `model_id`; returns the seconds waited. A turn more than
    `max_wait` seconds away is kept reserved and raised as SlotLater instead of slept for."""
    slot_at = reserve(model_id, reserved_at=reserved_at)
    wait = max(0.0, slot_at - time.time())
    if max_wait is not None and wait > max_wait:
        raise SlotLater(slot_at)
    if wait:
        time.sleep(wait)
    return wait


def slow_down(model_id: str, retry_after: float | None) -> None:
    """The API said 429: nobody calls this model again before its retry delay is over.
    Only where a limit is configured; without one, each job just honours the delay itself."""
    rpm = requests_per_minute(model_id)
    if rpm <= 0:
        return
    delay = retry_after or 60.0 / rpm
    with transaction.atomic():
        slot, _ = UpstreamSlot.objects.select_for_update().get_or_create(model=model_id)
        slot.blocked_until = max(slot.blocked_until, time.time() + delay)
        slot.save(update_fields=["blocked_until"])
