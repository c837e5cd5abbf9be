import base64
import secrets
import uuid

from django.db import models

from apps.core.transitions import Transitions, TransitionQuerySet
from apps.projects.models import Project
from apps.webhooks.events import EVENTS

SECRET_PREFIX = "whsec_"  # Standard Webhooks: base64 of the HMAC key after this prefix


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


class WebhookEndpoint(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=160, default=new_secret)
    # After a rotation the old secret signs too, until this moment, so receivers can switch without a gap.
    previous_secret = models.CharField(max_length=160, blank=True)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True)
    events = models.JSONField(default=list, help_text=f"Any of: {', '.join(EVENTS)}")
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


# The only moves a delivery makes; every status write goes through WebhookDelivery.objects.move().
# Pending stays pending while it is leased for an attempt and when it is rescheduled after a failed
# attempt; it ends succeeded, or failed once its attempts are spent. An operator's redelivery (the
# admin) puts any delivery back to pending.
TRANSITIONS = Transitions(
    {
        DeliveryStatus.PENDING: (DeliveryStatus.PENDING, DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED),
        DeliveryStatus.SUCCEEDED: (DeliveryStatus.PENDING,),
        DeliveryStatus.FAILED: (DeliveryStatus.PENDING,),
    },
    noun="a webhook delivery",
)


class WebhookDeliveryQuerySet(TransitionQuerySet):
    transitions = TRANSITIONS


class WebhookDelivery(models.Model):
    """One event for one endpoint; its attempts are logged separately. A pending row is sent when
    `next_attempt_at` passes, by whichever worker claims it first (the periodic sweep finds it
    even if the message that announced it was lost)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=40)
    payload = models.JSONField()
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    # Names the happening an event announces (e.g. "generation.succeeded:<job id>"), so an event
    # emitted again (a re-sent `job_finished`) finds its delivery instead of adding one.
    dedupe_key = models.CharField(max_length=120, blank=True)

    objects = WebhookDeliveryQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "webhook deliveries"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="webhook_delivery_once"
            )
        ]

    def __str__(self):
        return f"{self.event} → {self.endpoint.url} ({self.status})"


class DeliveryAttempt(models.Model):
    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(auto_now_add=True)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["attempted_at"]
