from rest_framework import serializers

from apps.core.serializers import absolute_url

from apps.assets.models import Asset, Relation, ReviewStatus
from apps.assets.summaries import summary


class AssetOutputSerializer(serializers.ModelSerializer):
    kind = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)
    campaign = serializers.SerializerMethodField(help_text="Campaign coordinates (campaign, cell, stage, language) or null.")
    checks = serializers.SerializerMethodField(help_text="Brand checks summary (status: checking, passed, attention, failed; failed check names) or null.")
    rights = serializers.SerializerMethodField(help_text="Effective rights inherited through lineage (window, territories, channels, expired, override) or null when none are recorded.")

    class Meta:
        model = Asset
        fields = [
            "id", "project", "generation", "output_index", "origin", "kind", "mime_type", "width", "height",
            "size_bytes", "sha256", "model_version", "response_id", "review_status", "file_url", "thumbnail_url",
            "created_by", "created_at", "campaign", "checks", "focal_point", "rights",
        ]

    def get_kind(self, asset) -> str:
        return asset.generation.kind if asset.generation_id else "upload"

    def get_campaign(self, asset) -> dict | None:
        return summary("campaign", asset)

    def get_checks(self, asset) -> dict | None:
        return summary("checks", asset)

    def get_rights(self, asset) -> dict | None:
        return summary("rights", asset)

    def get_file_url(self, asset) -> str:
        return absolute_url(self.context, "asset-file", asset.pk)

    def get_thumbnail_url(self, asset) -> str:
        return absolute_url(self.context, "asset-thumbnail", asset.pk)


class AssetChangeSerializer(serializers.Serializer):
    focal_point = serializers.JSONField(
        allow_null=True, help_text='{"x", "y"} from 0 (left/top) to 1: the point every placement crop keeps in frame; null: found from the pixels.'
    )


class AssetUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or WebP; the content decides the type, not the name.")


class AssetFilterSerializer(serializers.Serializer):
    review_status = serializers.ChoiceField(choices=ReviewStatus.choices, required=False)
    checks = serializers.ChoiceField(
        choices=["checking", "passed", "attention", "failed"], required=False,
        help_text="Only assets whose brand checks are in this status (attention: needs attention).",
    )
    kind = serializers.CharField(required=False)
    model = serializers.CharField(required=False)
    entry = serializers.UUIDField(required=False, help_text="Only assets whose job used this character or object.")
    campaign = serializers.UUIDField(required=False, help_text="Only assets a stage of this campaign made.")
    created_from = serializers.DateField(required=False)
    created_to = serializers.DateField(required=False)
    rights_end_before = serializers.DateField(required=False, help_text="Only assets whose rights window ends before this date (expired ones included).")
    rights = serializers.ChoiceField(choices=["expired", "expiring"], required=False,
                                     help_text="expired: the rights window has ended (no override covers today); expiring: it ends within 30 days.")


class ExportScopeSerializer(serializers.Serializer):
    territory = serializers.CharField(required=False, help_text="ISO 3166 alpha-2 code: leave out what the rights do not allow there.")
    channel = serializers.CharField(required=False, help_text="Placement channel: leave out what the rights do not allow on it.")


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


class LineageReferenceNodeSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    type = serializers.SerializerMethodField()
    kind = serializers.CharField(source="entry.kind")
    name = serializers.CharField(source="entry.name")
    sha256 = serializers.CharField()
    archived = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    def get_type(self, image) -> str:
        return "reference_image"

    def get_archived(self, image) -> bool:
        return image.archived_at is not None or image.entry.archived_at is not None

    def get_thumbnail_url(self, image) -> str:
        return absolute_url(self.context, "reference-image-thumbnail", image.pk)


class LineageFileNodeSerializer(serializers.Serializer):
    """A file cut from an asset that is not an asset itself: a channel's placement file."""

    id = serializers.UUIDField(help_text="The same for an asset's file of this placement however often it is remade.")
    type = serializers.ChoiceField(choices=["placement"])
    asset = serializers.UUIDField(source="asset_id", help_text="The asset it was cut from.")
    placement = serializers.CharField(source="key", help_text="The placement's key (GET /api/v1/placements/).")
    label = serializers.CharField()
    channel = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    mime_type = serializers.CharField()
    size_bytes = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    file_url = serializers.SerializerMethodField(help_text="The file, with Content Credentials naming the asset as its parent.")

    def get_file_url(self, found) -> str:
        request = self.context.get("request")
        return request.build_absolute_uri(found.file_path) if request else found.file_path


class LineageEdgeSerializer(serializers.Serializer):
    """Reads as a sentence: `from` (the newer asset, or a file cut from one) was `relation` `to`
    (its parent or reference)."""

    to = serializers.UUIDField()

    def get_fields(self):
        # `from` is a Python keyword, so it is added here rather than declared as an attribute;
        # as a field it is also in the schema, where generated clients look for it. The relations
        # of files cut from assets are registered by the apps that make them (placement_of).
        from apps.assets.selectors import LINEAGE_FILE_RELATIONS

        relation = serializers.ChoiceField(choices=[*Relation.choices, *LINEAGE_FILE_RELATIONS.items()])
        return {"from": serializers.UUIDField(), **super().get_fields(), "relation": relation}


class AssetFileQuerySerializer(serializers.Serializer):
    credentials = serializers.BooleanField(
        required=False, default=False,
        help_text="1: the copy carrying signed Content Credentials (C2PA) instead of the stored original.",
    )


class CredentialsSignerSerializer(serializers.Serializer):
    issuer = serializers.CharField(allow_null=True)
    common_name = serializers.CharField(allow_null=True)
    algorithm = serializers.CharField(allow_null=True)
    time = serializers.CharField(allow_null=True)


class CredentialsValidationSerializer(serializers.Serializer):
    state = serializers.CharField(allow_null=True, help_text="The C2PA validation state: Invalid, Valid or Trusted.")
    verdict = serializers.ChoiceField(choices=["invalid", "valid", "trusted"])
    text = serializers.CharField()
    failures = serializers.ListField(child=serializers.CharField(), help_text="C2PA failure codes, e.g. signingCredential.untrusted.")


class CredentialsActionSerializer(serializers.Serializer):
    action = serializers.CharField()
    description = serializers.CharField(allow_blank=True)
    software_agent = serializers.CharField(allow_blank=True)
    digital_source_type = serializers.CharField(allow_blank=True)


class CredentialsIngredientSerializer(serializers.Serializer):
    title = serializers.CharField(allow_null=True)
    relationship = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_blank=True)
    platform = serializers.DictField(allow_null=True, help_text="The lineage edge it stands for: asset or reference image, and relation.")
    manifest = serializers.DictField(allow_null=True, help_text="The ingredient's own manifest, in this same shape.")


class CredentialsSerializer(serializers.Serializer):
    label = serializers.CharField(allow_null=True)
    title = serializers.CharField(allow_null=True)
    signer = CredentialsSignerSerializer()
    validation = CredentialsValidationSerializer()
    actions = CredentialsActionSerializer(many=True)
    ingredients = CredentialsIngredientSerializer(many=True)
    platform = serializers.DictField(allow_null=True, help_text="Project, job settings, review decisions with the policy in force.")
