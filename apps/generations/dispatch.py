"""Sending stored jobs on their way: each job goes to its delivery's backend (apps/generations/
deliveries.py); interactive jobs go to the `generations` queue as one message per job, or one
fan-out message for many."""

from __future__ import annotations

from collections import defaultdict

from django.utils import timezone

from apps.core.tasks import send_on_commit, task_named
from apps.generations import deliveries
from apps.generations.deliveries import DeliveryBackend
from apps.generations.models import Delivery, Generation


def dispatch(generations: list[Generation]) -> None:
    """Inside the transaction that stored them: hand each job to its delivery, one call per delivery."""
    by_delivery: dict[str, list] = defaultdict(list)
    for generation in generations:
        by_delivery[generation.delivery].append(generation.pk)
    for delivery, ids in by_delivery.items():
        deliveries.backend(delivery).enqueue(ids)


def mark_unsent(ids: list):
    """What to do when the broker is away at the send: the rows stay `queued`, marked never sent
    (no `enqueued_at`), and the `resend_unsent` sweep sends them once the broker is back."""
    return lambda: Generation.objects.filter(pk__in=ids).update(enqueued_at=None)


def enqueue(generation_id, countdown: float | None = None) -> None:
    """Send one id to the workers once the transaction commits, and record when (recovery reads
    it). A retry or a wait for the rate limit sends the job again this way."""
    Generation.objects.filter(pk=generation_id).update(enqueued_at=timezone.now())
    send_on_commit("generations.run", [str(generation_id)], countdown=countdown, on_unsent=mark_unsent([generation_id]))


def interactive_enqueue(ids: list) -> None:
    """New interactive jobs (their rows carry `enqueued_at`): one message for one job; for many,
    one message carrying every id, which a worker turns into one message per job, so the request
    that made them does not pay for hundreds of broker writes. Should it be lost, the rows stay
    `queued` and recovery sends them again."""
    ids = [str(pk) for pk in ids]
    if len(ids) == 1:
        send_on_commit("generations.run", ids, on_unsent=mark_unsent(ids))
    else:
        send_on_commit("generations.enqueue_many", [ids], on_unsent=mark_unsent(ids))


def generations_enqueue(*, generation_ids: list[str]) -> None:
    """The fan-out's worker side: one message per job, over one broker connection."""
    run = task_named("generations.run")
    with run.app.producer_or_acquire() as producer:
        for generation_id in generation_ids:
            run.apply_async(args=[generation_id], producer=producer)


INTERACTIVE = DeliveryBackend(enqueue=interactive_enqueue, resent_by_recovery=True)


def register_interactive() -> None:
    deliveries.register(Delivery.INTERACTIVE, INTERACTIVE)



