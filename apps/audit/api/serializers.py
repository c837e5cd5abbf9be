from rest_framework import serializers

from apps.audit.models import AuditEvent


class AuditEventOutputSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor_name")

    class Meta:
        model = AuditEvent
        fields = ["id", "created_at", "actor", "action", "target", "before", "after"]
