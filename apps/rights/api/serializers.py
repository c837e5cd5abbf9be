from rest_framework import serializers

from apps.rights.models import EffectiveRights, Right, RightKind


class RightInputSerializer(serializers.Serializer):
    """Types only; the rules (ISO codes, dates in order, lengths) are apps.rights.services.right_fields_clean's."""

    holder = serializers.CharField(required=False, allow_blank=True, help_text="Who grants it (the person released, the agency).")
    kind = serializers.ChoiceField(choices=RightKind.choices, required=False)
    licence = serializers.CharField(required=False, allow_blank=True, help_text="The licence's text or a reference to it.")
    territories = serializers.JSONField(required=False, help_text='ISO 3166 alpha-2 codes ["DE", "AT"] (or "DE, AT"); [] or "worldwide": worldwide.')
    channels = serializers.JSONField(required=False, help_text='Placement channels ["instagram"]; [] or "all": every channel.')
    starts_on = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD; empty: from the start.")
    ends_on = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="YYYY-MM-DD; empty: does not end.")
    notes = serializers.CharField(required=False, allow_blank=True)
    document = serializers.FileField(required=False, help_text="The signed release or licence: a PDF or an image (multipart).")


class RightOutputSerializer(serializers.ModelSerializer):
    reference_image = serializers.UUIDField(source="reference_image_id", allow_null=True)
    asset = serializers.UUIDField(source="asset_id", allow_null=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    document = serializers.SerializerMethodField(help_text="The document's name and URL (owners and editors), or null.")

    class Meta:
        model = Right
        fields = ["id", "project", "reference_image", "asset", "holder", "kind", "licence", "territories", "channels",
                  "starts_on", "ends_on", "document", "notes", "created_by", "created_at", "updated_at"]

    def get_document(self, right) -> dict | None:
        if not right.document:
            return None
        request = self.context.get("request")
        path = f"/api/v1/rights/{right.pk}/document/"
        return {"name": right.document_name, "mime_type": right.document_mime_type, "url": request.build_absolute_uri(path) if request else path}


class EffectiveRightsSerializer(serializers.Serializer):
    asset = serializers.UUIDField()
    state = serializers.CharField(help_text="none, valid, expiring (within 30 days), not_started, expired, overridden.")
    sentence = serializers.CharField(help_text="As the asset page says it.")
    rights = serializers.DictField(allow_null=True, help_text="Window, territories, channels, the limiting right, the override, every source.")
    own = RightOutputSerializer(many=True, help_text="Rights recorded on this asset itself (uploads).")


class OverrideInputSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="Why it may still be used (who agreed, where it is written).")
    until = serializers.DateField(help_text="The override's own end (YYYY-MM-DD).")


class ExpiringQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(required=False, default=30, min_value=0, max_value=3650, help_text="Ends within this many days (expired included).")


class ExpiringAssetSerializer(serializers.Serializer):
    asset = serializers.UUIDField(source="pk")
    title = serializers.CharField(source="display_title")
    ends_on = serializers.DateField(source="effective_rights.ends_on")
    state = serializers.SerializerMethodField()
    limiting = serializers.JSONField(source="effective_rights.limiting")

    def get_state(self, asset) -> str:
        from apps.rights.selectors import state

        return state(asset.effective_rights)


class PolicySerializer(serializers.Serializer):
    require_on_references = serializers.BooleanField(help_text="A new reference image must come with its rights (rights_holder, rights_kind, ...).")


__all__ = ["EffectiveRights"]
