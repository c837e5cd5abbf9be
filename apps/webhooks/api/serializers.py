from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.webhooks.events import EVENT_PAYLOAD, EVENTS
from apps.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint

MAX_GRACE_SECONDS = 7 * 24 * 3600


class EndpointInputSerializer(StrictInputSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), min_length=1)
    secret = serializers.CharField(
        max_length=160, required=False,
        help_text="A Standard Webhooks secret, `whsec_` + base64 of 24 to 64 random bytes. Generated when omitted.",
    )


class SecretRotateInputSerializer(StrictInputSerializer):
    grace_seconds = serializers.IntegerField(
        min_value=0, max_value=MAX_GRACE_SECONDS, required=False,
        help_text="How long the old secret keeps signing beside the new one (default WEBHOOK_SECRET_GRACE_SECONDS).",
    )
    secret = serializers.CharField(max_length=160, required=False, help_text="The new secret; generated when omitted.")


class EndpointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "project", "url", "events", "is_active", "created_at", "previous_secret_expires_at"]


class EndpointCreatedSerializer(EndpointOutputSerializer):
    """The secret is shown once: when the endpoint is made or its secret rotated."""

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "response_code", "duration_ms", "error"]


@extend_schema_field(EVENT_PAYLOAD)
class EventPayloadField(serializers.JSONField):
    """The JSON body the receiver got, as documented per event type."""


class DeliveryOutputSerializer(serializers.ModelSerializer):
    payload = EventPayloadField()
    attempt_log = AttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "status", "attempts", "next_attempt_at", "payload", "created_at", "delivered_at", "attempt_log"]

