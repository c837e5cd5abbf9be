from rest_framework import serializers

from apps.checks.models import AssetCheck, BrandKit


class BrandKitOutputSerializer(serializers.ModelSerializer):
    recheck = serializers.SerializerMethodField(help_text='The latest recheck: {"id", "total", "done"}, or null.')

    class Meta:
        model = BrandKit
        fields = [
            "project", "palette", "tolerance", "min_brand_share", "forbidden_colours", "logo_required", "terms",
            "min_contrast", "min_contrast_large", "version", "updated_at", "recheck",
        ]

    def get_recheck(self, kit) -> dict | None:
        from apps.checks.selectors import recheck_progress

        return recheck_progress(kit.project)


class BrandKitInputSerializer(serializers.Serializer):
    """Documents the PATCH body; apps.checks.kit.validate does the checking (one place for REST and admin)."""

    palette = serializers.ListField(child=serializers.DictField(), required=False, help_text='[{"name", "hex": "#RRGGBB", "role": primary|secondary|accent}]')
    tolerance = serializers.FloatField(required=False, help_text="CIEDE2000, 0.5–50.")
    min_brand_share = serializers.FloatField(required=False, allow_null=True, help_text="0–1, or null for no minimum.")
    forbidden_colours = serializers.ListField(child=serializers.CharField(), required=False)
    logo_required = serializers.BooleanField(required=False)
    terms = serializers.DictField(required=False, help_text='{lang or "*": {"required": [...], "forbidden": [...]}}')
    min_contrast = serializers.FloatField(required=False)
    min_contrast_large = serializers.FloatField(required=False)


class AssetCheckOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = AssetCheck
        fields = ["asset", "status", "results", "kit_version", "attempts", "queued_at", "started_at", "finished_at"]


class RecheckOutputSerializer(serializers.Serializer):
    id = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
