"""Refinement threads: a conversation with one model about an image, kept as a tree of turns.

A thread starts from a seed asset (its root turn, which has no job) and grows one refine job per
turn; refining an earlier turn adds a second child to it, which is a branch. The model's own
turns are not copied here: each output asset keeps them verbatim in `Asset.model_parts`.
"""

import uuid

from django.conf import settings
from django.db import models

from apps.projects.models import Project


class SeededAs(models.TextChoices):
    # The seed asset's own job (its prompt and reference images) as the first user turn, and the
    # model's stored answer, with its signatures, as the first model turn.
    REQUEST = "request", "Its own request and the model's answer"
    # The seed asset as an image the user supplies: an upload, an image from a model without
    # signatures or from another model, or a thread started afresh to leave earlier turns behind.
    IMAGE = "image", "The image, as if the user supplied it"


class Thread(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="refinement_threads")
    model = models.CharField(max_length=80, help_text="Full model id; signatures do not cross models, so neither do threads.")
    seed_asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="refinement_threads")
    seeded_as = models.CharField(max_length=16, choices=SeededAs.choices)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Two editors refining the same asset at once continue one thread, not two.
            models.UniqueConstraint(fields=["seed_asset", "model", "seeded_as"], name="one_thread_per_seed_and_model"),
        ]

    def __str__(self):
        return f"thread {self.id} on {self.model}"


class Turn(models.Model):
    """One exchange: the root (the seed, no job) or a refine job and the asset it made."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="turns")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    depth = models.PositiveSmallIntegerField(help_text="0 for the seed, then one more per turn.")
    generation = models.OneToOneField(
        "generations.Generation", null=True, blank=True, on_delete=models.CASCADE, related_name="refinement_turn"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["depth", "created_at"]
        constraints = [
            models.UniqueConstraint(fields=["thread"], condition=models.Q(parent__isnull=True), name="one_seed_turn_per_thread"),
            models.CheckConstraint(
                condition=models.Q(parent__isnull=True, generation__isnull=True, depth=0)
                | models.Q(parent__isnull=False, generation__isnull=False, depth__gt=0),
                name="seed_turn_has_no_job",
            ),
        ]

    def __str__(self):
        return f"turn {self.depth} of {self.thread_id}"
