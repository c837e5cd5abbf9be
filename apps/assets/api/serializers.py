from django.urls import reverse
from rest_framework import serializers

from apps.assets.models import Asset, AssetLink, ReviewStatus
from apps.assets.selectors import thumbnail_of


class AssetOutputSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Asset
        fields = [
            "id", "project", "generation", "output_index", "origin", "kind", "mime_type", "width", "height",
            "size_bytes", "sha256", "model_version", "response_id", "review_status", "file_url", "thumbnail_url",
            "created_by", "created_at",
        ]

    def get_kind(self, asset) -> str:
        return asset.generation.kind if asset.generation_id else "upload"

    def _url(self, name, asset):
        url = reverse(name, args=[asset.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url

    def get_file_url(self, asset) -> str:
        return self._url("asset-file", asset)

    def get_thumbnail_url(self, asset) -> str | None:
        return self._url("asset-thumbnail", asset) if thumbnail_of(asset) else None


class AssetUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or WebP; the content decides the type, not the name.")


class AssetFilterSerializer(serializers.Serializer):
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    kind = serializers.CharField(required=False)
    model = serializers.CharField(required=False)


class LineageNodeSerializer(AssetOutputSerializer):
    prompt_excerpt = serializers.SerializerMethodField()
    model = serializers.CharField(source="generation.model", default=None)
    type = serializers.SerializerMethodField()

    class Meta(AssetOutputSerializer.Meta):
        fields = ["id", "type", "kind", "model", "prompt_excerpt", "review_status", "width", "height", "thumbnail_url", "created_at"]

    def get_type(self, asset) -> str:
        return "asset"

    def get_prompt_excerpt(self, asset) -> str:
        prompt = asset.generation.prompt if asset.generation_id else ""
        return prompt[:140]


class LineageEdgeSerializer(serializers.ModelSerializer):
    """Reads as a sentence: `from` (the newer asset) was `relation` `to` (its parent)."""

    to = serializers.UUIDField(source="parent_id")

    class Meta:
        model = AssetLink
        fields = ["to", "relation"]

    def to_representation(self, link):
        # `from` is a Python keyword, so it is added here rather than declared as a field.
        return {"from": str(link.child_id), **super().to_representation(link)}
