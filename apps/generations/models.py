import uuid

from django.conf import settings
from django.db import models

from apps.projects.models import Project


class Kind(models.TextChoices):
    GENERATE = "generate", "Generate"
    EDIT = "edit", "Edit"
    TRANSLATE = "translate", "Translate"
    UPSCALE = "upscale", "Upscale"
    COMPOSE = "compose", "Compose"
    REFINE = "refine", "Refine"  # one turn of a refinement thread (apps.refinements)


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


# Jobs move queued -> running -> succeeded | failed | canceled (running may go back to queued for a
# retry); services change status only by conditional UPDATEs on the expected current status.
FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.CANCELED)


class Generation(models.Model):
    """One job: what was asked, with exactly which inputs, and what came of it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="generations")
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.GENERATE)
    prompt = models.TextField(blank=True)
    system_instruction = models.TextField(blank=True, help_text="The project's brand brief as sent with this job.")
    model = models.CharField(max_length=80, help_text="Full model id.")
    aspect_ratio = models.CharField(max_length=8)
    image_size = models.CharField(max_length=8)
    thinking_level = models.CharField(max_length=16, blank=True)
    web_search = models.BooleanField(default=False)
    image_search = models.BooleanField(default=False)
    target_language = models.CharField(max_length=16, blank=True)
    count = models.PositiveSmallIntegerField(default=1)
    source_assets = models.ManyToManyField("assets.Asset", through="GenerationSource", related_name="used_by")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    upstream_calls = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)

    usage = models.JSONField(default=dict, blank=True)
    cost_usd = models.DecimalField(max_digits=10, decimal_places=4, default=0)
    model_version = models.CharField(max_length=120, blank=True)
    response_id = models.CharField(max_length=120, blank=True)
    model_text = models.TextField(blank=True)
    grounding = models.JSONField(default=dict, blank=True)

    idempotency_key = models.CharField(max_length=200, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_idempotency_key",
            )
        ]
        indexes = [models.Index(fields=["project", "-created_at"], name="generation_project_newest")]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.status})"


class GenerationSource(models.Model):
    """A source asset of a job, in the order it was sent."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="sources")
    asset = models.ForeignKey("assets.Asset", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["generation", "asset"], name="unique_generation_source")]


class GenerationReference(models.Model):
    """An exact reference image a job sent, with its hash, so lineage never points at changed bytes."""

    generation = models.ForeignKey(Generation, on_delete=models.CASCADE, related_name="references")
    reference_image = models.ForeignKey("library.ReferenceImage", on_delete=models.PROTECT, related_name="+")
    label = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position"]
