"""Written-down state machines: a table of the only moves a model's state field makes, and the
guarded move that applies one as a single conditional UPDATE.

    MOVES = Transitions({"queued": ("running",), "running": ("done",), "done": ()}, noun="a job")

    class JobQuerySet(TransitionQuerySet):
        transitions = MOVES

    Job.objects.move(pk, frm="queued", to="running", started_at=now)   # True if it moved

A move the table does not allow is a programming error (ValueError, nothing written); a row no
longer in `frm` is a stale caller (False, nothing written). States with no moves out are final.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db import models
from django.db.models import Q


class Transitions:
    def __init__(self, moves: Mapping[str, Iterable[str]], *, field: str = "status", noun: str = "a row"):
        self.moves: dict[str, tuple[str, ...]] = {state: tuple(targets) for state, targets in moves.items()}
        self.field = field
        self.noun = noun
        for state, targets in self.moves.items():
            unknown = [target for target in targets if target not in self.moves]
            if unknown:
                raise ValueError(f"{noun}: {state} moves to unknown states {unknown}")

    @property
    def final(self) -> tuple[str, ...]:
        """The states with no move out."""
        return tuple(state for state, targets in self.moves.items() if not targets)

    @property
    def unfinished(self) -> tuple[str, ...]:
        """Every state that still has a move out."""
        return tuple(state for state, targets in self.moves.items() if targets)

    def allows(self, frm: str, to: str) -> bool:
        return to in self.moves.get(frm, ())

    def check(self, frm: str | Iterable[str], to: str) -> tuple[str, ...]:
        """The source states, after making sure each may move to `to`."""
        sources = (frm,) if isinstance(frm, str) else tuple(frm)
        for source in sources:
            if not self.allows(source, to):
                raise ValueError(f"{self.noun} cannot move from {source} to {to}")
        return sources

    def move(self, queryset: models.QuerySet, pk, *, frm: str | Iterable[str], to: str, where: Q | None = None, **fields) -> bool:
        """One conditional UPDATE of row `pk` (within `queryset`): it moves from `frm` to `to` only if
        it is still in `frm` and matches `where`. Returns whether it moved."""
        sources = self.check(frm, to)
        rows = queryset.filter(pk=pk, **{f"{self.field}__in": sources})
        if where is not None:
            rows = rows.filter(where)
        return bool(rows.update(**{self.field: to}, **fields))


class TransitionQuerySet(models.QuerySet):
    """A queryset whose model's state changes go through `move()`; set `transitions` on the subclass."""

    transitions: Transitions

    def move(self, pk, *, frm: str | Iterable[str], to: str, where: Q | None = None, **fields) -> bool:
        return self.transitions.move(self, pk, frm=frm, to=to, where=where, **fields)
