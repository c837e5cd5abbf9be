import uuid

from django.conf import settings
from django.db import models

from apps.projects.models import Project


# The review vocabulary, beside the status it moves: what a reviewer decides (apps.approvals keeps the
# decisions and their rules). Here, below approvals, so the webhooks' events table can name it too.
class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    # A campaign draft whose cell chose a sibling variation: out of the review queue and its counts,
    # not a decision (no Review row); deciding on it later recomputes the status from the log.
    NOT_CHOSEN = "not_chosen", "Not chosen"


class Origin(models.TextChoices):
    GENERATED = "generated", "Generated"
    UPLOAD = "upload", "Upload"


class Relation(models.TextChoices):
    EDITED_FROM = "edited_from", "Edited from"
    TRANSLATED_FROM = "translated_from", "Translated from"
    UPSCALED_FROM = "upscaled_from", "Upscaled from"
    COMPOSED_FROM = "composed_from", "Composed from"
    VARIATION_OF = "variation_of", "Variation of"
    REFERENCES = "references", "References"
    REGION_EDIT_OF = "region_edit_of", "Region edit of"


TITLE_MAX_CHARS = 200
TITLE_FROM_PROMPT_CHARS = 80
TAG_MAX_CHARS = 40


class Asset(models.Model):
    """One stored image. Bytes live in private storage under a key deterministic per job and output."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assets")
    generation = models.ForeignKey(
        "generations.Generation", null=True, blank=True, on_delete=models.PROTECT, related_name="assets"
    )
    output_index = models.PositiveSmallIntegerField(default=0)
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.GENERATED)
    file = models.FileField(max_length=300)
    mime_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    model_version = models.CharField(max_length=120, blank=True)
    response_id = models.CharField(max_length=120, blank=True)
    model_parts = models.JSONField(
        default=list, blank=True,
        help_text="The model's turn that made this image, verbatim (parts in order, thought flags, signatures), "
        "image bytes replaced by storage references; a refinement thread sends it back unchanged.",
    )
    review_status = models.CharField(max_length=20, choices=ReviewStatus.choices, default=ReviewStatus.PENDING)
    title = models.CharField(max_length=TITLE_MAX_CHARS, blank=True, help_text="Empty: the start of the prompt is shown.")
    focal_point = models.JSONField(
        null=True, blank=True,
        help_text='{"x", "y"} normalised 0..1: the point every placement crop keeps in frame (set by a person); empty: found from the pixels.',
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # Re-running a job can never store the same output twice.
            models.UniqueConstraint(fields=["generation", "output_index"], name="one_asset_per_generation_output"),
        ]
        indexes = [
            models.Index(fields=["project", "-created_at"], name="asset_project_newest"),
            models.Index(fields=["project", "review_status", "-created_at"], name="asset_review_queue"),
        ]

    def __str__(self):
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title a person gave, else the start of the prompt, else what kind of image it is."""
        if self.title:
            return self.title
        prompt = " ".join(self.generation.prompt.split()) if self.generation_id else ""
        if prompt:
            # Cut at a word boundary so a title never ends in half a word.
            return prompt if len(prompt) <= TITLE_FROM_PROMPT_CHARS else prompt[: TITLE_FROM_PROMPT_CHARS + 1].rsplit(" ", 1)[0].rstrip(",.;:") + "…"
        return "Uploaded image" if self.origin == Origin.UPLOAD else "Untitled image"


class Rendition(models.Model):
    """A derived file (thumbnail) of an asset, unique per spec: a second one for the same spec is refused
    by the database, never stored beside the first."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="renditions")
    spec = models.CharField(max_length=40)
    file = models.FileField(max_length=300)
    mime_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size_bytes = models.PositiveBigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["asset", "spec"], name="one_rendition_per_spec")]


class AssetLink(models.Model):
    """A lineage edge: `child` was made from `parent`."""

    child = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="parent_links")
    parent = models.ForeignKey(Asset, on_delete=models.PROTECT, related_name="child_links")
    relation = models.CharField(max_length=20, choices=Relation.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "parent", "relation"], name="unique_asset_link")]


class AssetTag(models.Model):
    """A label a team puts on an asset (lower-case, so "Summer" and "summer" are one tag)."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=TAG_MAX_CHARS)
    # The asset's project, kept on the tag so a gallery lists its project's tags from one index
    # (project, name) in as many steps as there are names, however many assets carry them.
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="+", null=True, editable=False, db_index=False)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["asset", "name"], name="unique_asset_tag")]
        indexes = [models.Index(fields=["name"], name="asset_tag_name"), models.Index(fields=["project", "name"], name="asset_tag_project_name")]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.project_id is None:
            self.project_id = self.asset.project_id
        super().save(*args, **kwargs)


class Favourite(models.Model):
    """One person's star on an asset; private to them."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="favourites")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "asset"], name="one_favourite_per_user_asset")]
