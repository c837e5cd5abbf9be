"""Who has to do what by when, and telling them.

- An `Assignment` asks one or more deciding members (its assignees) to review some assets (picked
  one by one, from a selection, or a campaign stage's outputs) by an optional due date. Its work is
  one `AssignmentItem` per (asset, assignee): done when that assignee decides the asset, or when the
  asset is decided as the review policy requires. The assignment is complete when no item is open.
- A `Notification` is one event for one person (the bell, the notifications page). Each person says
  per event type how they hear of it (`NotificationSettings.events`): immediately, in an hourly or a
  daily digest, or not at all.
- A `Digest` is one email to one person for one period: claimed with a conditional insert (unique
  per person, period and key), so two schedulers, a restart or a retry never send a period twice.
- A `Reminder` is one due-date reminder for one assignee at one point (24 h before, due, each day
  overdue), claimed the same way.
"""

import uuid
import zoneinfo

from django.conf import settings
from django.db import models

from apps.projects.models import Project

NOTE_MAX_CHARS = 1000
MAX_ASSIGNEES = 20
MAX_ASSETS_PER_ASSIGNMENT = 500


class Event(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to me"
    MENTIONED = "mentioned", "Mentioned in a comment"
    DECISION = "decision", "A decision on an asset I made"
    JOB_FAILED = "job_failed", "My job failed"
    STAGE_FINISHED = "stage_finished", "A campaign stage I ran finished"
    CHECKS_FAILED = "checks_failed", "Brand checks failed on an asset I made or must review"
    DUE_SOON = "due_soon", "A due date is 24 hours away"
    DUE = "due", "A due date is reached"
    OVERDUE = "overdue", "A due date has passed (daily, until done)"
    RIGHTS_EXPIRING = "rights_expiring", "Rights on a project's assets end within 30 or 7 days (owners)"


class Delivery(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    HOURLY = "hourly", "Hourly digest"
    DAILY = "daily", "Daily digest"
    OFF = "off", "Off"


# How each event reaches a person who never changed it: what they must act on now comes at once.
DEFAULT_DELIVERY = {
    Event.ASSIGNED: Delivery.IMMEDIATELY,
    Event.MENTIONED: Delivery.IMMEDIATELY,
    Event.DECISION: Delivery.HOURLY,
    Event.JOB_FAILED: Delivery.HOURLY,
    Event.STAGE_FINISHED: Delivery.HOURLY,
    Event.CHECKS_FAILED: Delivery.HOURLY,
    Event.DUE_SOON: Delivery.IMMEDIATELY,
    Event.DUE: Delivery.IMMEDIATELY,
    Event.OVERDUE: Delivery.DAILY,
    Event.RIGHTS_EXPIRING: Delivery.IMMEDIATELY,  # already one warning per project per night
}

TIME_ZONES = sorted(zoneinfo.available_timezones() - {"localtime", "Factory"})


class NotificationSettings(models.Model):
    """One person's choices; a person without a row has the defaults (DEFAULT_DELIVERY, UTC, 9:00)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings")
    time_zone = models.CharField(max_length=64, default="UTC", help_text="Due dates are shown and daily digests sent in this time zone.")
    digest_hour = models.PositiveSmallIntegerField(default=9, help_text="The hour (0-23, in the time zone) the daily digest is sent.")
    events = models.JSONField(default=dict, blank=True, help_text="{event: delivery} for the events changed from their default.")
    updated_at = models.DateTimeField(auto_now=True)

    def delivery(self, event: str) -> str:
        return self.events.get(event) or DEFAULT_DELIVERY[event]

    def deliveries(self) -> dict[str, str]:
        return {event: self.delivery(event) for event in Event.values}

    def __str__(self):
        return f"notification settings of {self.user}"


class Assignment(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="assignments")
    campaign = models.ForeignKey("campaigns.Campaign", null=True, blank=True, on_delete=models.CASCADE, related_name="assignments")
    stage = models.CharField(max_length=16, blank=True, help_text="The campaign stage whose outputs are assigned (with campaign).")
    assignees = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="assignments")
    due_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="assignments_made")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="When its last open item was done (set once).")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["project", "completed_at", "due_at"], name="assignment_open_due")]

    def __str__(self):
        what = f"{self.campaign} · {self.stage}" if self.campaign_id else "assets"
        return f"assignment of {what}"


class AssignmentItem(models.Model):
    """One assignee's part on one asset: open until they decide it or the asset is decided."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="items")
    asset = models.ForeignKey("assets.Asset", on_delete=models.CASCADE, related_name="assignment_items")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignment_items")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "asset", "assignee"], name="one_item_per_asset_and_assignee")]
        indexes = [models.Index(fields=["assignee", "done_at"], name="assignment_item_open")]


class Digest(models.Model):
    """One email to one person: an immediate notification (period `immediate`, key its id) or an
    hourly / daily digest (key the hour or the person's local date). Pending until sent; a failed
    send returns it to pending with `next_attempt_at` backed off."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (no email address)"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digests")
    period = models.CharField(max_length=16)
    key = models.CharField(max_length=64)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_until = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "period", "key"], name="one_digest_per_person_and_period")]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="digest_due")]


class Notification(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=32, choices=Event.choices)
    delivery = models.CharField(max_length=16, choices=Delivery.choices, help_text="How it was to be emailed when it happened.")
    text = models.CharField(max_length=500)
    url = models.CharField(max_length=500, help_text="The page it is about (a path on this site).")
    about = models.CharField(max_length=64, blank=True, help_text="What it asks of the person, e.g. assignment:<id>: read once that is done.")
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    digest = models.ForeignKey(Digest, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread"),
            models.Index(fields=["user", "delivery", "digest"], name="notification_undigested"),
        ]


class Reminder(models.Model):
    """A due-date reminder sent to one assignee: at most one per assignment, assignee, point and day."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="reminders")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=32, choices=Event.choices)
    key = models.CharField(max_length=32, help_text="The due date it was for, and for overdue the day number.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "assignee", "event", "key"], name="one_reminder_per_point")]
