"""The public service functions views, tasks and other apps call, in one place. Each lives in its
own module: intake.py (checks, budget, insert, idempotency), dispatch.py (sending to a delivery),
engine.py (claim, request, store, finish, retry, cancel, recovery)."""

from apps.generations.dispatch import generations_enqueue
from apps.generations.engine import announce_missed as generations_announce_missed
from apps.generations.engine import cancel as generation_cancel
from apps.generations.engine import recover as generation_recover
from apps.generations.engine import resend_unsent
from apps.generations.engine import run as generation_run
from apps.generations.intake import (
    MAX_JOBS_PER_BATCH,
    GenerationInput,
    generation_create,
    generations_create_many,
    source_format,
)


def generations_resend_unsent() -> int:
    """Periodic (beat, every few seconds): jobs the broker never took or lost are sent again."""
    from apps.core.tasks import BrokerUnavailable, broker_forgot

    try:
        forgot = broker_forgot()
    except (BrokerUnavailable, ConnectionError):
        return 0  # still away: nothing can be sent; the marks wait for the next sweep
    return resend_unsent(broker_forgot=forgot)

__all__ = [
    "MAX_JOBS_PER_BATCH", "GenerationInput", "generation_cancel", "generation_create", "generation_recover",
    "generation_run", "generations_announce_missed", "generations_create_many", "generations_enqueue", "generations_resend_unsent", "source_format",
]
