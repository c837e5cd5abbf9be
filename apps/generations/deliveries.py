"""How a stored job reaches the model: one backend per `Delivery`, registered in one table.

The engine never branches on a delivery's name. Interactive registers itself from the
generations app config, batch from the batches app config (generations never imports batches);
a new delivery is one `register()` call from its own app's `ready()`:

    deliveries.register(Delivery.BATCH, DeliveryBackend(check=..., enqueue=..., cancel=..., describe=...))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from apps.core.exceptions import ValidationFailed


def _nothing(*args, **kwargs) -> None:
    return None


@dataclass(frozen=True)
class DeliveryBackend:
    # Refuse at intake (raise ValidationFailed naming `delivery`) when this delivery cannot be used now.
    check: Callable[[], None] = _nothing
    # Called inside the transaction that stored these jobs (ids); sends them on commit.
    enqueue: Callable[[list], None] = _nothing
    # Called inside the transaction that canceled this job: let go of what it held upstream.
    cancel: Callable[[object], None] = _nothing
    # What a job's answer shows about its delivery (e.g. its upstream batch), or None.
    describe: Callable[[object], dict | None] = _nothing
    # Prefetches `describe` reads, added to every job query that answers the API.
    prefetch: Sequence = field(default_factory=tuple)
    # Whether the engine's recovery sweep re-sends this delivery's stale queued jobs (batch jobs
    # wait queued for hours by design; their poller, not the sweep, finishes them).
    resent_by_recovery: bool = False


_BACKENDS: dict[str, DeliveryBackend] = {}


def register(delivery: str, backend: DeliveryBackend) -> None:
    _BACKENDS[str(delivery)] = backend


def backend(delivery: str) -> DeliveryBackend:
    """The registered backend; an unregistered delivery is refused as the request's mistake."""
    try:
        return _BACKENDS[str(delivery)]
    except KeyError:
        raise ValidationFailed(
            f"Delivery {delivery!r} is not available here. Allowed: {', '.join(_BACKENDS)}.",
            field="delivery", details={"value": str(delivery), "allowed": list(_BACKENDS)},
        ) from None


def registered() -> dict[str, DeliveryBackend]:
    return dict(_BACKENDS)


def prefetches() -> list:
    return [lookup for backend in _BACKENDS.values() for lookup in backend.prefetch]


def resent_by_recovery() -> list[str]:
    return [name for name, backend in _BACKENDS.items() if backend.resent_by_recovery]
