from django.conf import settings
from django.db import models

from apps.assets.models import Asset, ReviewStatus


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REJECT = "reject", "Reject"
    REQUEST_CHANGES = "request_changes", "Request changes"


STATUS_AFTER = {
    Decision.APPROVE: ReviewStatus.APPROVED,
    Decision.REJECT: ReviewStatus.REJECTED,
    Decision.REQUEST_CHANGES: ReviewStatus.CHANGES_REQUESTED,
}


class Review(models.Model):
    """Append-only: every decision is kept; the asset's review status follows from the latest."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.decision} by {self.reviewer} on {self.asset_id}"
