import uuid

from django.conf import settings
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from apps.assets.selectors import VARIATION  # noqa: F401  (the pages' derived kind, with the filters)
from apps.core.transitions import TransitionQuerySet, Transitions
from apps.gemini import kinds
from apps.projects.models import Project

# Kinds come from the one table of kinds (apps/gemini/kinds.py); a new kind is a row there.
Kind = models.TextChoices("Kind", [(kind.name.upper(), (kind.name, kind.label)) for kind in kinds.KINDS])


class Status(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"
    CANCELED = "canceled", "Canceled"


class Delivery(models.TextChoices):
    INTERACTIVE = "interactive", "Interactive"
    BATCH = "batch", "Batch (half price, up to 24 h)"


# The only moves a job makes. Running goes back to queued for a retry, a wait for the rate limit, or
# when recovery finds its worker dead. Every status write goes through GenerationQuerySet.move().
TRANSITIONS = Transitions(
    {
        Status.QUEUED: (Status.RUNNING, Status.CANCELED),
        Status.RUNNING: (Status.SUCCEEDED, Status.FAILED, Status.CANCELED, Status.QUEUED),
        Status.SUCCEEDED: (),
        Status.FAILED: (),
        Status.CANCELED: (),
    },
    noun="a job",
)
FINISHED = TRANSITIONS.final
# Statuses a job can still leave: what "still working" means on every page, list and query.
UNFINISHED = TRANSITIONS.unfinished


class GenerationQuerySet(TransitionQuerySet):
    transitions = TRANSITIONS

    def move(self, pk, *, frm: str | tuple[str, ...], to: str, attempt: int | None = None, where: Q | None = None, **fields) -> bool:
        """One conditional UPDATE: the row moves from `frm` to `to` only if it is still in `frm` (and, when
        `attempt` is given, only while that attempt is the current one). Returns whether it moved; a
        stale caller changes nothing."""
        if attempt is not None:
            where = Q(attempts=attempt) if where is None else where & Q(attempts=attempt)
        return super().move(pk, frm=frm, to=to, where=where, **fields)

    def fenced(self, pk, attempt: int):
        """The row, only while `attempt` is the running attempt: every write a worker makes goes through it."""
        return self.filter(pk=pk, status=Status.RUNNING, attempts=attempt)

    def beat(self, pk, attempt: int) -> bool:
        """Mark the running attempt alive now; False if it is no longer current. Never moves the
        heartbeat back: an UPDATE that waited for the row's lock may carry an older time than the
        one written meanwhile."""
        now = Value(timezone.now(), output_field=models.DateTimeField())
        return bool(self.fenced(pk, attempt).update(heartbeat_at=Greatest(F("heartbeat_at"), now)))


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
    delivery = models.CharField(
        max_length=16, choices=Delivery.choices, default=Delivery.INTERACTIVE,
        help_text="Batch jobs wait queued in an upstream batch (apps.batches) instead of calling the model at once.",
    )
    # Guidance the request went past (e.g. more character images than the model keeps well); sent anyway.
    warnings = models.JSONField(default=list, blank=True)
    source_assets = models.ManyToManyField("assets.Asset", through="GenerationSource", related_name="used_by")

    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True)
    # Each claim adds one; the running attempt's number fences every write its worker makes.
    attempts = models.PositiveSmallIntegerField(default=0)
    # Claims that ended waiting for the shared rate limit, not failing: they do not use up retries.
    rate_waits = models.PositiveSmallIntegerField(default=0)
    upstream_calls = models.PositiveIntegerField(default=0)
    error_code = models.CharField(max_length=40, blank=True)
    error_message = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # An upstream slot of the shared rate limit reserved for this job's next call (Unix time).
    reserved_slot_at = models.FloatField(null=True, blank=True)
    # When the job's id was last sent to the broker: recovery re-sends only after the stale window.
    enqueued_at = models.DateTimeField(null=True, blank=True)

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
    # When every `job_finished` receiver took this job's end; null on a finished job means it is
    # still to be announced (a worker died in between, or a receiver failed): the sweep re-sends.
    announced_at = models.DateTimeField(null=True, blank=True)

    objects = GenerationQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["project", "created_by", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="unique_idempotency_key",
            )
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="generation_project_newest"),
            # Only the few finished jobs not yet announced: what the announce sweep reads.
            models.Index(
                fields=["finished_at"], condition=models.Q(announced_at__isnull=True, finished_at__isnull=False),
                name="generation_unannounced",
            ),
        ]

    def __str__(self):
        return f"{self.kind} {self.id} ({self.status})"

    @property
    def is_finished(self) -> bool:
        """No move left (FINISHED): what pages ask instead of comparing statuses."""
        return self.status in FINISHED

    @property
    def failed_attempts(self) -> int:
        return self.attempts - self.rate_waits


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


# The pages' "variation" (VARIATION, kept with the asset filters that take it): every output of a
# generate job made from an asset. (The lineage edge `variation_of`, from a multi-image job's later
# outputs to its first, is another thing: those outputs are not variations on the pages unless
# their job was made from an asset.)


def made_from_asset(generation_ref: str = "generation") -> Exists:
    """True where the job (reached by `generation_ref` from the rows filtered) was made from an asset."""
    return Exists(GenerationSource.objects.filter(generation=OuterRef(generation_ref)))


def jobs_sending_entry(entry) -> models.QuerySet:
    """The ids of the jobs that sent any of this character's or object's reference images."""
    return GenerationReference.objects.filter(reference_image__entry=entry).values("generation")


def references_sent(generation_ids: set) -> list[tuple]:
    """(generation id, reference image) for each exact image these jobs sent, in the order sent: one query."""
    used = GenerationReference.objects.filter(generation_id__in=generation_ids).select_related("reference_image__entry")
    return [(use.generation_id, use.reference_image) for use in used.order_by("position")]


def is_variation(job, *, from_asset: bool | None = None) -> bool:
    """Whether `job` makes variations; `from_asset` when the caller annotated `made_from_asset`,
    else the job's (prefetched) sources are read."""
    if job is None or job.kind != Kind.GENERATE:
        return False
    return bool(job.sources.all()) if from_asset is None else bool(from_asset)


class RegionEdit(models.Model):
    """What a region edit job changes: the region drawn on its source (normalised, and in pixels),
    the part of the source the model is sent (`covers`), and how the answer is blended back
    (apps.generations.region_edits). The lineage edge is `region_edit_of`; this row is its region."""

    generation = models.OneToOneField(Generation, primary_key=True, on_delete=models.CASCADE, related_name="region_edit")
    mode = models.CharField(max_length=8, help_text="crop: the model sees the crop; marked: the whole image and an outlined copy.")
    region = models.JSONField(help_text='{"x", "y", "w", "h"} in 0–1 of the source (a brush mask: its bounding box).')
    box = models.JSONField(help_text="The region's box in source pixels: left, top, width, height.")
    covers = models.JSONField(help_text="The part of the source the answer depicts, in pixels (the crop sent; marked: the whole image).")
    box_2d = models.JSONField(help_text="The region as Gemini's box: [y1, x1, y2, x2] in 0–1000.")
    mask = models.FileField(max_length=300, blank=True, help_text="The brush mask as sent (white = change), when one was.")
    feather = models.PositiveSmallIntegerField()
    context = models.FloatField()


class OrphanSweep(models.Model):
    """One run of the orphan sweep (apps.generations.orphans): what it removed, for the log and
    the metrics (brand_orphan_files_removed_total)."""

    ran_at = models.DateTimeField(auto_now_add=True, db_index=True)
    jobs_looked_at = models.PositiveIntegerField()
    files_removed = models.PositiveIntegerField()
    bytes_removed = models.BigIntegerField()
