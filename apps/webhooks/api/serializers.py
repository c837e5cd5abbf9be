from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.webhooks.models import EVENTS, DeliveryAttempt, WebhookDelivery, WebhookEndpoint


class EndpointInputSerializer(StrictInputSerializer):
    url = serializers.URLField(max_length=500)
    events = serializers.ListField(child=serializers.ChoiceField(choices=EVENTS), min_length=1)
    secret = serializers.CharField(min_length=16, max_length=100, required=False, help_text="Generated when omitted.")


class EndpointOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "project", "url", "events", "is_active", "created_at"]


class EndpointCreatedSerializer(EndpointOutputSerializer):
    """The secret is shown once, when the endpoint is made."""

    class Meta(EndpointOutputSerializer.Meta):
        fields = [*EndpointOutputSerializer.Meta.fields, "secret"]


class AttemptSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeliveryAttempt
        fields = ["attempted_at", "response_code", "duration_ms", "error"]


class DeliveryOutputSerializer(serializers.ModelSerializer):
    attempt_log = AttemptSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "status", "attempts", "payload", "created_at", "delivered_at", "attempt_log"]
