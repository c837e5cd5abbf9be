"""An upstream batch's state moves only as its transitions table says; an ended batch stays ended."""

import pytest

from apps.batches.models import OPEN, TRANSITIONS, BatchState, UpstreamBatch

pytestmark = pytest.mark.django_db


def test_ended_states_are_final_and_open_ones_can_end(project):
    assert set(TRANSITIONS.final) == {BatchState.SUCCEEDED, BatchState.FAILED, BatchState.CANCELLED, BatchState.EXPIRED}
    assert set(OPEN) == {BatchState.SUBMITTING, BatchState.PENDING, BatchState.RUNNING}
    assert not TRANSITIONS.allows(BatchState.RUNNING, BatchState.PENDING)  # upstream going backwards is not recorded


def test_a_move_applies_once_and_an_ended_batch_is_not_reopened(project):
    batch = UpstreamBatch.objects.create(project=project, model="gemini-3.1-flash-image-preview")
    assert UpstreamBatch.objects.move(batch.pk, frm=BatchState.SUBMITTING, to=BatchState.PENDING, upstream_name="batches/x")
    assert not UpstreamBatch.objects.move(batch.pk, frm=BatchState.SUBMITTING, to=BatchState.FAILED)  # no longer submitting
    assert UpstreamBatch.objects.move(batch.pk, frm=OPEN, to=BatchState.SUCCEEDED)
    assert not UpstreamBatch.objects.move(batch.pk, frm=OPEN, to=BatchState.CANCELLED)  # a late cancel leaves it succeeded
    with pytest.raises(ValueError, match="an upstream batch cannot move from JOB_STATE_SUCCEEDED to JOB_STATE_RUNNING"):
        UpstreamBatch.objects.move(batch.pk, frm=BatchState.SUCCEEDED, to=BatchState.RUNNING)
    batch.refresh_from_db()
    assert (batch.state, batch.upstream_name) == (BatchState.SUCCEEDED, "batches/x")
