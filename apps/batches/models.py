"""Upstream Batch API batches and which job outputs each one carries."""

import uuid

from django.db import models

from apps.core.transitions import TransitionQuerySet, Transitions


class BatchState(models.TextChoices):
    # Recorded by us, not yet confirmed created upstream: the next step looks it up by display name.
    SUBMITTING = "SUBMITTING", "Submitting"
    PENDING = "JOB_STATE_PENDING", "Pending"
    RUNNING = "JOB_STATE_RUNNING", "Running"
    SUCCEEDED = "JOB_STATE_SUCCEEDED", "Succeeded"
    FAILED = "JOB_STATE_FAILED", "Failed"
    CANCELLED = "JOB_STATE_CANCELLED", "Cancelled"
    EXPIRED = "JOB_STATE_EXPIRED", "Expired"


# Every state our row can be in and where it may go. SUBMITTING goes to whatever upstream reports
# once created or found (a batch found after a crash may already have ended), or straight to
# FAILED (refused) or CANCELLED (every job canceled while it was submitted). Upstream reports move
# an open batch forward; a report of the state it is already in is no move. The ended states are final.
_ENDED = (BatchState.SUCCEEDED, BatchState.FAILED, BatchState.CANCELLED, BatchState.EXPIRED)
TRANSITIONS = Transitions(
    {
        BatchState.SUBMITTING: (BatchState.PENDING, BatchState.RUNNING, *_ENDED),
        BatchState.PENDING: (BatchState.RUNNING, *_ENDED),
        BatchState.RUNNING: _ENDED,
        **{state: () for state in _ENDED},
    },
    field="state", noun="an upstream batch",
)
OPEN = TRANSITIONS.unfinished


class UpstreamBatchQuerySet(TransitionQuerySet):
    transitions = TRANSITIONS


class UpstreamBatch(models.Model):
    """One upstream batch: one model, one request group (a REST job, later a campaign stage).

    The row (with its display name) exists before the upstream create call, so a crash between
    create and record is repaired by finding the batch by display name, never by creating another.
    `collected_at` is set once every result has been stored or every job failed; until then the
    batch is open and polled. `lease_until` lets one worker at a time submit or collect it.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="upstream_batches")
    model = models.CharField(max_length=80, help_text="Full model id; a batch holds one model's requests.")
    upstream_name = models.CharField(max_length=200, blank=True, help_text="e.g. batches/abc123; blank until confirmed.")
    state = models.CharField(max_length=32, choices=BatchState.choices, default=BatchState.SUBMITTING, db_index=True)
    error_message = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_checked_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)

    objects = UpstreamBatchQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["collected_at", "state"], name="upstream_batch_open")]

    @property
    def display_name(self) -> str:
        """Derived from our id: what `client.batches.list` is searched for before creating again."""
        return f"brandimages-{self.pk}"

    def __str__(self):
        return f"{self.display_name} ({self.state})"


class BatchRequest(models.Model):
    """One request in a batch: one output of one job. Its key travels upstream and back.
    An output goes into one batch only: two workers grouping the same job cannot both win."""

    batch = models.ForeignKey(UpstreamBatch, on_delete=models.CASCADE, related_name="requests")
    generation = models.ForeignKey("generations.Generation", on_delete=models.CASCADE, related_name="batch_requests")
    output_index = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["generation_id", "output_index"]
        constraints = [
            models.UniqueConstraint(fields=["generation", "output_index"], name="unique_batch_request"),
        ]

    @property
    def key(self) -> str:
        return f"{self.generation_id}:{self.output_index}"
