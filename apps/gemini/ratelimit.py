"""A requests-per-minute limit per model, shared by every worker through the database.

Each caller reserves the next free slot (slots are 60/RPM seconds apart) in one short locked
transaction, then sleeps until its slot: callers never spin, throughput stays at the limit, and
bursts above it never reach the API. A 429 that still arrives pushes `blocked_until` forward,
which slows every worker, not only the one that got it. Works on SQLite (IMMEDIATE transactions
serialise writers across processes) and PostgreSQL (SELECT ... FOR UPDATE) alike.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.db import transaction

from apps.gemini.models import UpstreamSlot


def requests_per_minute(model_id: str) -> int:
    from apps.gemini.catalogue import get_model

    for name, rpm in settings.GEMINI_RPM.items():
        model = get_model(name)
        if model is not None and model.model_id == model_id:
            return int(rpm)
    return settings.GEMINI_RPM_DEFAULT


def reserve(model_id: str) -> float:
    """Reserve the next slot; returns how many seconds to wait for it (0 when unlimited)."""
    rpm = requests_per_minute(model_id)
    if rpm <= 0:
        return 0.0
    interval = 60.0 / rpm
    with transaction.atomic():
        slot, _ = UpstreamSlot.objects.select_for_update().get_or_create(model=model_id)
        now = time.time()
        start = max(now, slot.next_free_at, slot.blocked_until)
        slot.next_free_at = start + interval
        slot.save(update_fields=["next_free_at"])
    return max(0.0, start - now)


def acquire(model_id: str) -> float:
    """Wait for this process's turn to call `model_id`; returns the seconds waited."""
    wait = reserve(model_id)
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
