from rest_framework import serializers

from apps.placements.catalogue import FORMATS


class SafeZoneSerializer(serializers.Serializer):
    name = serializers.CharField()
    x = serializers.FloatField()
    y = serializers.FloatField()
    w = serializers.FloatField()
    h = serializers.FloatField()


class PlacementOutputSerializer(serializers.Serializer):
    key = serializers.CharField()
    channel = serializers.CharField()
    label = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    ratio = serializers.CharField(help_text="The Gemini aspect ratio to generate at.")
    max_bytes = serializers.IntegerField(help_text="The channel's limit, Content Credentials included.")
    formats = serializers.ListField(child=serializers.ChoiceField(choices=FORMATS))
    safe_zones = SafeZoneSerializer(many=True)
    dpi = serializers.IntegerField(allow_null=True)
    custom = serializers.BooleanField(help_text="The project's own (not the catalogue's).")


class PlacementListQuerySerializer(serializers.Serializer):
    project = serializers.UUIDField(required=False, help_text="Add this project's own placements to the catalogue's.")


class PlacementInputSerializer(serializers.Serializer):
    """Shape only; the rules (sizes, bytes, ratio a model makes, safe zones) are
    apps.placements.catalogue.placement_from, for REST and admin alike."""

    key = serializers.CharField(max_length=24)
    channel = serializers.CharField(max_length=40, required=False, default="custom")
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    max_bytes = serializers.IntegerField()
    formats = serializers.ListField(child=serializers.CharField(), required=False, default=lambda: ["JPEG", "PNG"])
    safe_zones = serializers.ListField(child=serializers.DictField(), required=False, default=list)
    dpi = serializers.IntegerField(required=False, allow_null=True, default=None)


class SafeZoneResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=["pass", "warn", "unchecked"])
    problems = serializers.ListField(child=serializers.CharField())


class AssetPlacementSerializer(PlacementOutputSerializer):
    rendered = serializers.BooleanField()
    size_bytes = serializers.IntegerField(allow_null=True)
    format = serializers.CharField(allow_null=True)
    quality = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    crop = serializers.DictField(allow_null=True)
    focal_point = serializers.DictField(allow_null=True)
    safe_zones_result = SafeZoneResultSerializer(allow_null=True)
    file_url = serializers.CharField()
