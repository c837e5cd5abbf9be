"""Sending a Django signal once the current transaction commits, so a receiver always finds what
the sender wrote, and a failing receiver is logged instead of failing the sender (whose work is
already committed)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import Signal

logger = logging.getLogger(__name__)


def send_robust_now(signal: Signal, sender, **kwargs) -> bool:
    """Every receiver runs; returns whether all of them succeeded."""
    succeeded = True
    for receiver, outcome in signal.send_robust(sender=sender, **kwargs):
        if isinstance(outcome, Exception):
            succeeded = False
            logger.error("receiver %r of %s failed", receiver, sender.__name__, exc_info=outcome)
    return succeeded


def send_on_commit(signal: Signal, sender, **kwargs) -> None:
    transaction.on_commit(lambda: send_robust_now(signal, sender, **kwargs))
