from django.conf import settings
from django.db import models

from apps.assets.models import Asset, Decision, ReviewStatus  # noqa: F401 (Decision is read from here too)
from apps.projects.models import Project, Role


STATUS_AFTER = {
    Decision.APPROVE: ReviewStatus.APPROVED,
    Decision.REJECT: ReviewStatus.REJECTED,
    Decision.REQUEST_CHANGES: ReviewStatus.CHANGES_REQUESTED,
}


COMMENT_MAX_CHARS = 4000
WAIVER_MAX_CHARS = 2000


class Review(models.Model):
    """Append-only: every decision is kept; the asset's review status follows from the latest."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comment = models.TextField(blank=True)
    waiver = models.TextField(blank=True, help_text="Why the asset was approved although brand checks failed (empty: none failed, or not an approval).")
    waived_checks = models.JSONField(default=list, blank=True, help_text="The failing checks the waiver overrode.")
    policy_in_force = models.JSONField(
        null=True, blank=True, help_text="The project's review policy when the decision was made (none before this was kept).",
    )
    guest = models.JSONField(
        null=True, blank=True, help_text='A guest\'s decision through a review link: {"name", "email", "link", "link_id"} (reviewer is then empty).',
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.decision} by {self.decided_by} on {self.asset_id}"

    @property
    def decided_by(self) -> str:
        """Who decided, as pages and the audit log say it: a username, or the guest and their link."""
        return guest_words(self.guest) if self.guest else (self.reviewer.get_username() if self.reviewer else "(deleted user)")


def guest_words(guest: dict) -> str:
    return f'guest: {guest["name"]} <{guest["email"]}> via "{guest["link"]}"'


def default_decider_roles() -> list[str]:
    return [Role.REVIEWER, Role.OWNER]


class ReviewPolicy(models.Model):
    """Set by a project's owner; absent means the defaults below."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE, primary_key=True, related_name="review_policy")
    decider_roles = models.JSONField(default=default_decider_roles, help_text="Roles whose members may decide.")
    four_eyes = models.BooleanField(default=True, help_text="The person who made an asset cannot approve it.")
    approvals_required = models.PositiveSmallIntegerField(default=1, help_text="Distinct approvals that make an asset approved.")
    checks_must_pass = models.BooleanField(default=False, help_text="An asset with a failing brand check is approved only with a waiver saying why.")
    guests_count = models.BooleanField(default=False, help_text="A guest's approval through a review link counts toward the approvals required.")
    editors_share_links = models.BooleanField(default=False, help_text="Editors may create and revoke review links (owners always may).")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "review policies"

    def __str__(self):
        return f"Review policy of {self.project}"

    def as_dict(self) -> dict:
        """The rules themselves, as the audit log and each decision record them."""
        return {"decider_roles": list(self.decider_roles), "four_eyes": self.four_eyes, "approvals_required": self.approvals_required,
                "checks_must_pass": self.checks_must_pass, "guests_count": self.guests_count, "editors_share_links": self.editors_share_links}


COMMENTS_PER_ASSET = 200  # comments and replies together
MENTIONS_PER_COMMENT = 20


class Comment(models.Model):
    """A review remark on an asset, optionally pinned to a point or a rectangle of it (normalised
    0–1). Top-level comments can be resolved and reopened; replies hang under one, never deeper."""

    asset = models.ForeignKey(Asset, on_delete=models.CASCADE, related_name="comments")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    guest = models.JSONField(null=True, blank=True, help_text='A guest\'s comment through a review link: {"name", "email", "link", "link_id"}.')
    body = models.TextField()
    pin = models.JSONField(null=True, blank=True, help_text='{"x", "y"} a point, or {"x", "y", "w", "h"} a rectangle, in 0–1 of the image.')
    mentions = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    addressed_by = models.ForeignKey(
        "generations.Generation", null=True, blank=True, on_delete=models.SET_NULL, related_name="addressed_comments",
        help_text="The region edit made from this comment (apply as edit); approving its asset resolves the comment.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["asset", "created_at"], name="comment_asset_oldest")]

    def __str__(self):
        return f"Comment {self.pk} on {self.asset_id}"

    @property
    def is_resolved(self) -> bool:
        return self.resolved_at is not None

    @property
    def addressed_in(self):
        """The asset the applied edit made ("addressed in ..."), once its job stored one."""
        if not self.addressed_by_id:
            return None
        return min(self.addressed_by.assets.all(), key=lambda asset: asset.output_index, default=None)
