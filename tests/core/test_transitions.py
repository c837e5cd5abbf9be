"""The generic transitions table: final states, refused moves and stale callers."""

import pytest

from apps.core.transitions import Transitions
from apps.generations.models import (
    FINISHED,
    TRANSITIONS,
    UNFINISHED,
    Generation,
    Status,
)
from tests.factories import GenerationFactory


def test_a_table_names_its_final_and_unfinished_states_and_refuses_unknown_targets():
    table = Transitions({"a": ("b",), "b": ()}, noun="a thing")
    assert table.final == ("b",) and table.unfinished == ("a",)
    with pytest.raises(ValueError, match="a thing cannot move from b to a"):
        table.check("b", "a")
    with pytest.raises(ValueError, match="unknown states"):
        Transitions({"a": ("z",)})


def test_generation_finished_and_unfinished_split_every_status():
    assert set(FINISHED) | set(UNFINISHED) == set(Status.values)
    assert set(UNFINISHED) == {Status.QUEUED, Status.RUNNING} and not set(FINISHED) & set(UNFINISHED)
    assert Generation.objects.all().transitions is TRANSITIONS


@pytest.mark.django_db
def test_a_move_only_applies_from_the_stated_source_and_attempt(project, editor):
    job = GenerationFactory(project=project, created_by=editor, status=Status.RUNNING, attempts=2)
    assert not Generation.objects.move(job.pk, frm=Status.RUNNING, to=Status.FAILED, attempt=1)
    assert Generation.objects.move(job.pk, frm=Status.RUNNING, to=Status.FAILED, attempt=2, error_code="x")
    job.refresh_from_db()
    assert (job.status, job.error_code) == ("failed", "x")
