"""Review links: a project's owner (or an editor, where the review policy allows) lets people
without an account review a set of assets from a link. Only the token's hash is kept; the link
shows exactly its assets, for a while, with what it allows, until it is revoked."""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.assets.models import Asset
from apps.projects.models import Project

LABEL_MAX_CHARS = 100
ASSETS_PER_LINK = 200
PASSCODE_MIN_CHARS, PASSCODE_MAX_CHARS = 4, 128


class Scope(models.TextChoices):
    ASSET = "asset", "One asset"
    SELECTION = "selection", "A gallery selection"
    CAMPAIGN_STAGE = "campaign_stage", "A campaign stage"


class GuestAction(models.TextChoices):
    """What a guest may do beyond viewing (viewing is always allowed)."""

    COMMENT = "comment", "Comment and pin"
    DECIDE = "decide", "Approve, request changes or reject"
    DOWNLOAD = "download", "Download approved assets"


class ReviewLink(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="review_links")
    label = models.CharField(max_length=LABEL_MAX_CHARS, help_text='Who it is for, e.g. "Agency Blau"; shown with every guest decision.')
    token_sha256 = models.CharField(max_length=64, unique=True)
    scope = models.CharField(max_length=20, choices=Scope.choices)
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    stage = models.CharField(max_length=16, blank=True)
    assets = models.ManyToManyField(Asset, related_name="+", help_text="Exactly what the link shows, fixed when it was made.")
    actions = models.JSONField(default=list, help_text="GuestAction values the guest may do besides viewing.")
    passcode_hash = models.CharField(max_length=256, blank=True, help_text="Empty: no passcode.")
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f'Review link "{self.label}" of {self.project}'

    @property
    def is_open(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def allows(self, action: str) -> bool:
        return action in self.actions


class GuestVisit(models.Model):
    """A person who opened a link and said who they are (no account, no password)."""

    link = models.ForeignKey(ReviewLink, on_delete=models.CASCADE, related_name="visits")
    name = models.CharField(max_length=100)
    email = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.name} <{self.email}> via {self.link.label}"

    def as_guest(self) -> dict:
        """How approvals records the guest on a decision or a comment."""
        return {"name": self.name, "email": self.email.lower(), "link": self.link.label, "link_id": str(self.link_id)}
