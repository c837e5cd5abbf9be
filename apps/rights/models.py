"""Rights on what comes in (a reference image or an uploaded asset) and the effective rights every
asset inherits from all of them through its lineage.

A `Right` is what a team recorded: a model release, a licence, a stock agreement. An asset's
`EffectiveRights` row is derived (apps.rights.services.effective_rights_refresh) and never edited
by hand, except for its override, which an owner records and which a recompute keeps."""

import uuid

from django.conf import settings
from django.db import models

from apps.assets.models import Asset
from apps.library.models import ReferenceImage
from apps.projects.models import Project

HOLDER_MAX_CHARS = 200
LICENCE_MAX_CHARS = 2000
NOTES_MAX_CHARS = 2000
CHANNEL_MAX_CHARS = 40
REASON_MAX_CHARS = 500


class RightKind(models.TextChoices):
    OWNED = "owned", "Owned"
    LICENSED = "licensed", "Licensed"
    TALENT_RELEASE = "talent_release", "Talent release"
    STOCK = "stock", "Stock"
    OTHER = "other", "Other"


class Right(models.Model):
    """One right on one reference image or one uploaded asset. Empty `territories` means worldwide,
    empty `channels` every channel; no `ends_on` means it does not end."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="rights")
    reference_image = models.ForeignKey(ReferenceImage, null=True, blank=True, on_delete=models.CASCADE, related_name="rights")
    asset = models.ForeignKey(Asset, null=True, blank=True, on_delete=models.CASCADE, related_name="rights")
    holder = models.CharField(max_length=HOLDER_MAX_CHARS, help_text="Who grants it: the person released, the agency, the photographer.")
    kind = models.CharField(max_length=20, choices=RightKind.choices)
    licence = models.TextField(blank=True, max_length=LICENCE_MAX_CHARS, help_text="The licence's text or a reference to it.")
    territories = models.JSONField(default=list, blank=True, help_text='ISO 3166 alpha-2 codes, e.g. ["DE", "AT"]; empty: worldwide.')
    channels = models.JSONField(default=list, blank=True, help_text='Placement channels, e.g. ["instagram"]; empty: all channels.')
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True, db_index=True)
    document = models.FileField(max_length=300, blank=True, help_text="The signed release or licence (private).")
    document_name = models.CharField(max_length=200, blank=True)
    document_mime_type = models.CharField(max_length=40, blank=True)
    notes = models.TextField(blank=True, max_length=NOTES_MAX_CHARS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reference_image__isnull=False, asset__isnull=True) | models.Q(reference_image__isnull=True, asset__isnull=False),
                name="right_on_one_source",
            ),
            models.CheckConstraint(
                condition=models.Q(starts_on__isnull=True) | models.Q(ends_on__isnull=True) | models.Q(starts_on__lte=models.F("ends_on")),
                name="right_starts_before_it_ends",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} from {self.holder}"

    @property
    def source_label(self) -> str:
        """What the right is on, as people name it: "the release for Mira", "the upload …"."""
        if self.reference_image_id:
            return self.reference_image.entry.name
        return self.asset.display_title


class EffectiveRights(models.Model):
    """What an asset may be used for, from every right of every reference image and upload it
    descends from: the window runs from the latest start to the earliest end; territories and
    channels are the intersection (null: unrestricted, [] : nowhere)."""

    asset = models.OneToOneField(Asset, primary_key=True, on_delete=models.CASCADE, related_name="effective_rights")
    starts_on = models.DateField(null=True, blank=True)
    ends_on = models.DateField(null=True, blank=True)
    territories = models.JSONField(null=True, blank=True)
    channels = models.JSONField(null=True, blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="Every right that applies: [{right, holder, kind, source, starts_on, ends_on}].")
    limiting = models.JSONField(null=True, blank=True, help_text="The right whose end is the earliest (the one that ends the window).")
    computed_at = models.DateTimeField()
    override_reason = models.CharField(max_length=REASON_MAX_CHARS, blank=True)
    override_until = models.DateField(null=True, blank=True)
    override_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    override_at = models.DateTimeField(null=True, blank=True)
    expiry_announced_for = models.DateField(null=True, blank=True, help_text="The end date whose passing was announced (webhook).")
    warned_for = models.DateField(null=True, blank=True, help_text="The end date the last digest warned about.")
    warned_days = models.PositiveSmallIntegerField(null=True, blank=True, help_text="How many days ahead it warned (30, then 7).")

    class Meta:
        verbose_name_plural = "effective rights"
        indexes = [models.Index(fields=["ends_on"], name="effective_rights_end")]

    def __str__(self):
        return f"Rights of {self.asset_id}"


class ProjectRightsPolicy(models.Model):
    """A project's rule for what comes in; created on demand."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="rights_policy")
    require_on_references = models.BooleanField(default=False, help_text="A new reference image must come with its rights.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "project rights policies"
