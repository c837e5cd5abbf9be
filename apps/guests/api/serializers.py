from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer
from apps.guests.models import GuestAction, ReviewLink


class ReviewLinkInputSerializer(StrictInputSerializer):
    """Limits (label, days, passcode, asset count) are the service's, with their numbers."""

    label = serializers.CharField(allow_blank=True, trim_whitespace=False)
    asset = serializers.UUIDField(required=False, allow_null=True, help_text="One asset.")
    assets = serializers.ListField(child=serializers.UUIDField(), required=False, help_text="A gallery selection.")
    campaign = serializers.UUIDField(required=False, allow_null=True, help_text="With `stage`: that stage's images.")
    stage = serializers.CharField(required=False, allow_blank=True)
    actions = serializers.ListField(child=serializers.ChoiceField(choices=GuestAction.choices), required=False,
                                    help_text="Besides viewing: comment, decide, download (approved assets).")
    expires_in_days = serializers.IntegerField(required=False, allow_null=True, help_text="Default 14, at most 90.")
    passcode = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, write_only=True)


class ReviewLinkOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    assets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    passcode = serializers.SerializerMethodField()
    open = serializers.BooleanField(source="is_open")

    class Meta:
        model = ReviewLink
        fields = ["id", "project", "label", "scope", "campaign", "stage", "assets", "actions", "passcode", "expires_at", "revoked_at",
                  "open", "created_by", "created_at"]

    def get_passcode(self, link) -> bool:
        return bool(link.passcode_hash)


class ReviewLinkCreatedSerializer(ReviewLinkOutputSerializer):
    url = serializers.CharField(read_only=True, help_text="The link to send. Shown only now: only its hash is kept.")

    class Meta(ReviewLinkOutputSerializer.Meta):
        fields = [*ReviewLinkOutputSerializer.Meta.fields, "url"]
