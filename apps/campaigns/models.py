"""A campaign: products x scenes x formats, drafted, localised into languages and finalised.

Generations stay unaware of campaigns: a `CampaignJob` row links each job a stage made to its
cell (and language), so every coordinate of an asset is found from the campaign side.
"""

import uuid

from django.conf import settings
from django.db import models

from apps.campaigns import stages
from apps.projects.models import Project

# The "language" of a cell's chosen draft itself: the version in the source copy.
SOURCE = stages.SOURCE

NAME_MAX_CHARS = 200
MAX_PRODUCTS = 20
MAX_SCENES = 20
SCENE_MAX_CHARS = 500
COPY_MAX_CHARS = 300


# The stages' values and labels come from the stage table (apps.campaigns.stages).
Stage = models.TextChoices("Stage", [(stage.name.upper(), (stage.name, stage.label)) for stage in stages.STAGES])


class Campaign(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="campaigns")
    name = models.CharField(max_length=NAME_MAX_CHARS)
    products = models.ManyToManyField("library.LibraryEntry", related_name="campaigns_as_product")
    characters = models.ManyToManyField("library.LibraryEntry", related_name="campaigns_as_character", blank=True)
    scenes = models.JSONField(default=list, help_text="Scene descriptions; a scene's number is its place here, from 1.")
    formats = models.JSONField(default=list, help_text="Aspect ratios.")
    placements = models.JSONField(
        default=list, blank=True,
        help_text="Channel placements named among the formats (apps.placements); each is rendered from the cells of its ratio.",
    )
    languages = models.JSONField(default=list, help_text="Target language codes beyond the source copy.")
    copy = models.CharField(max_length=COPY_MAX_CHARS, blank=True, help_text="Headline rendered in the image.")
    copy_by_language = models.JSONField(default=dict, blank=True, help_text="{code: exact text} rendered verbatim.")
    variations = models.PositiveSmallIntegerField(default=1)
    logo_required = models.BooleanField(
        null=True, blank=True, help_text="Whether every image must carry the brand's logo; empty: as the brand kit says."
    )
    draft_model = models.CharField(max_length=80)
    draft_size = models.CharField(max_length=8)
    final_model = models.CharField(max_length=80)
    final_size = models.CharField(max_length=8)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["project", "-created_at"], name="campaign_project_newest")]

    def __str__(self):
        return self.name


class Cell(models.Model):
    """One product in one scene in one format; its chosen draft is the source of its versions."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="cells")
    product = models.ForeignKey("library.LibraryEntry", on_delete=models.PROTECT, related_name="+")
    scene_index = models.PositiveSmallIntegerField(help_text="Place of the scene in the campaign's list, from 0.")
    aspect_ratio = models.CharField(max_length=8)
    position = models.PositiveIntegerField()
    chosen = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "product", "scene_index", "aspect_ratio"], name="one_cell_per_coordinate")
        ]


class StageRun(models.Model):
    """One press of a stage's button: what it created, and when its last job finished."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="stage_runs")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    jobs_created = models.PositiveIntegerField()
    estimate_usd = models.DecimalField(max_digits=10, decimal_places=4)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)


class CampaignJob(models.Model):
    """A job a stage created for a cell: a draft (no language), a translation or a final (a language
    or `source`), made from `source_asset` (the chosen draft or a version)."""

    cell = models.ForeignKey(Cell, on_delete=models.CASCADE, related_name="jobs")
    stage = models.CharField(max_length=16, choices=Stage.choices)
    language = models.CharField(max_length=16, blank=True)
    source_asset = models.ForeignKey("assets.Asset", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    generation = models.OneToOneField("generations.Generation", on_delete=models.CASCADE, related_name="campaign_job")
    stage_run = models.ForeignKey(StageRun, on_delete=models.CASCADE, related_name="jobs")

    class Meta:
        indexes = [models.Index(fields=["cell", "stage", "language"], name="campaign_job_item")]
