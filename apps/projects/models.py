import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    REVIEWER = "reviewer", "Reviewer"
    VIEWER = "viewer", "Viewer"


class Project(models.Model):
    """A brand team's workspace: the tenant every other row belongs to."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    brief = models.TextField(
        blank=True,
        help_text="Brand brief sent as the system instruction of every generation: style, tone, colours, things to avoid.",
    )
    monthly_budget_usd = models.DecimalField(
        max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="Optional: new jobs are refused once this month's spend would pass it.",
    )
    budget_alert_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="Optional, 1–100: when this month's spend reaches this share of the budget, the owners get an email and "
                  "webhooks the event project.budget_alert (once a month).",
    )
    # The first day of the month whose alert went out; claimed with a conditional update, so two
    # workers finishing jobs at once send one alert. Cleared when the budget or the threshold changes.
    budget_alert_sent_for = models.DateField(null=True, blank=True, editable=False)
    credentials_include_prompt = models.BooleanField(
        default=False,
        help_text="Put the prompt text into the Content Credentials of downloads and exports (prompts can be confidential).",
    )
    credentials_include_names = models.BooleanField(
        default=False,
        help_text="Put usernames (maker, reviewers), the project's name and reference entries' names into the Content Credentials of delivered files.",
    )
    credentials_include_comments = models.BooleanField(
        default=False,
        help_text="Put review comments into the Content Credentials of delivered files (by default only the decisions go).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    members = models.ManyToManyField(settings.AUTH_USER_MODEL, through="Membership", related_name="projects")

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Membership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["project", "user"], name="one_membership_per_user")]

    def __str__(self):
        return f"{self.user} is {self.role} of {self.project}"


class Invitation(models.Model):
    """An owner's invitation, by email. Only the token's hash is kept; the token travels in the
    email, so whoever accepts it holds that mailbox (and signs in with an account of that email)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=16, choices=Role.choices)
    token_sha256 = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(
        null=True, blank=True,
        help_text="Closed unused: withdrawn by an owner, replaced by a newer invitation, or closed when the address joined or was removed.",
    )

    def __str__(self):
        return f"{self.email} invited to {self.project} as {self.role}"
