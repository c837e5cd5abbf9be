"""A project's own placements, and what each rendered placement file was made with."""

from django.conf import settings
from django.db import models

from apps.assets.models import Asset, Rendition
from apps.projects.models import Project


class ProjectPlacement(models.Model):
    """A placement a project adds beside the catalogue's (validated by catalogue.placement_from)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="placements")
    key = models.CharField(max_length=24)
    channel = models.CharField(max_length=40, default="custom")
    label = models.CharField(max_length=120)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    ratio = models.CharField(max_length=8, help_text="The Gemini aspect ratio to generate at (the nearest).")
    max_bytes = models.PositiveBigIntegerField()
    formats = models.JSONField(default=list, help_text='["JPEG", "PNG", "WEBP", "GIF"] in order of preference')
    safe_zones = models.JSONField(default=list, blank=True, help_text='[{"name", "band": top|bottom|left|right, "size"} or {"name", "x", "y", "w", "h"}]')
    dpi = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel", "key"]
        constraints = [models.UniqueConstraint(fields=["project", "key"], name="one_placement_key_per_project")]

    def __str__(self):
        return f"{self.label} ({self.width}×{self.height})"

    def as_data(self) -> dict:
        return {
            "key": self.key, "channel": self.channel, "label": self.label, "width": self.width, "height": self.height,
            "ratio": self.ratio, "max_bytes": self.max_bytes, "formats": self.formats, "safe_zones": self.safe_zones, "dpi": self.dpi,
        }


class PlacementRendition(models.Model):
    """How one placement file of an asset was made: the crop, the focal point it kept, the encoder's
    choice. The file and its size are the Rendition's (spec "pl:{key}:{hash}")."""

    rendition = models.OneToOneField(Rendition, on_delete=models.CASCADE, related_name="placement")
    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="placement_renditions")
    placement_key = models.CharField(max_length=24)
    format = models.CharField(max_length=8)
    quality = models.PositiveSmallIntegerField(null=True, blank=True)
    subsampling = models.CharField(max_length=8, blank=True)
    crop = models.JSONField(help_text='{"left", "top", "width", "height", "scale"} in the source\'s pixels')
    focal_point = models.JSONField(help_text='{"x", "y", "source": person|logo|attention}')
    warnings = models.JSONField(default=list, blank=True)
    encodings_tried = models.PositiveSmallIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["asset", "placement_key"], name="placement_rendition_key")]
