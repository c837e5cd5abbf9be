"""What apps above assets say about an asset in its REST representation: its campaign coordinates,
its brand checks, its rights. Each registers a function of the asset from its AppConfig.ready()
(campaigns, checks, rights); a summary nobody registered is null."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SUMMARIES: dict[str, Callable[[Any], dict | None]] = {}


def summary_register(name: str, summarise: Callable[[Any], dict | None]) -> None:
    SUMMARIES[name] = summarise


def summary(name: str, asset) -> dict | None:
    summarise = SUMMARIES.get(name)
    return summarise(asset) if summarise is not None else None
