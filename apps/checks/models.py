"""A project's brand kit and each asset's check result (what the pixels say against the kit)."""

from django.db import models

from apps.assets.models import Asset
from apps.projects.models import Project

DEFAULT_TOLERANCE = 10.0  # CIEDE2000
DEFAULT_MIN_CONTRAST = 4.5  # WCAG 2.x, normal text
DEFAULT_MIN_CONTRAST_LARGE = 3.0  # WCAG 2.x, large text


class ColourRole(models.TextChoices):
    PRIMARY = "primary", "Primary"
    SECONDARY = "secondary", "Secondary"
    ACCENT = "accent", "Accent"


class BrandKit(models.Model):
    """What a project's images must look and read like; created on demand (see selectors.kit_for).

    `version` goes up on every change so a check result says which kit it was read against."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="brand_kit")
    palette = models.JSONField(default=list, blank=True, help_text='[{"name", "hex": "#RRGGBB", "role": primary|secondary|accent}]')
    tolerance = models.FloatField(default=DEFAULT_TOLERANCE, help_text="Largest CIEDE2000 distance still on brand.")
    min_brand_share = models.FloatField(null=True, blank=True, help_text="0–1: least share of the image in brand colours; empty: not checked.")
    forbidden_colours = models.JSONField(default=list, blank=True, help_text='["#RRGGBB", ...]')
    logo_required = models.BooleanField(default=False)
    terms = models.JSONField(default=dict, blank=True, help_text='{lang or "*": {"required": [...], "forbidden": [...]}}')
    min_contrast = models.FloatField(default=DEFAULT_MIN_CONTRAST)
    min_contrast_large = models.FloatField(default=DEFAULT_MIN_CONTRAST_LARGE)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self):
        return f"Brand kit of {self.project}"


class CheckStatus(models.TextChoices):
    CHECKING = "checking", "Checking"
    PASSED = "passed", "Passed"
    ATTENTION = "attention", "Needs attention"
    FAILED = "failed", "Failed"


class Outcome(models.TextChoices):
    PASS = "pass", "Pass"
    WARN = "warn", "Warn"
    FAIL = "fail", "Fail"
    UNAVAILABLE = "unavailable", "Unavailable"


class AssetCheck(models.Model):
    """The latest reading of one asset against its project's kit. `checking` until a worker writes
    the results; a worker that dies leaves it `checking` for the recovery sweep, never passed."""

    asset = models.OneToOneField(Asset, on_delete=models.CASCADE, related_name="check_result")
    status = models.CharField(max_length=16, choices=CheckStatus.choices, default=CheckStatus.CHECKING)
    results = models.JSONField(
        default=list, blank=True,
        help_text='[{"check", "outcome": pass|warn|fail|unavailable, "message", "figures": {...}, "boxes": [[x, y, w, h], ...]}]',
    )
    kit_version = models.PositiveIntegerField(null=True, blank=True)
    recheck = models.CharField(max_length=36, blank=True, help_text="The recheck run that queued this reading, if any.")
    attempts = models.PositiveSmallIntegerField(default=0)
    queued_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="assetcheck_status")]

    def __str__(self):
        return f"Checks of {self.asset_id}: {self.status}"


def status_for(results: list[dict]) -> str:
    """Any fail → failed; else any warn or unavailable → needs attention; else passed."""
    outcomes = {result["outcome"] for result in results}
    if Outcome.FAIL in outcomes:
        return CheckStatus.FAILED
    if outcomes & {Outcome.WARN, Outcome.UNAVAILABLE}:
        return CheckStatus.ATTENTION
    return CheckStatus.PASSED
