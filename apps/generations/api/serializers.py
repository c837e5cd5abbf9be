import json

from rest_framework import serializers

from apps.assets.api.serializers import AssetOutputSerializer
from apps.assets import regions
from apps.core.serializers import StrictInputSerializer
from apps.gemini import catalogue, kinds
from apps.generations import deliveries
from apps.generations.intake import GenerationInput
from apps.generations.models import Delivery, Generation, Kind, Status


class GroundingInputSerializer(StrictInputSerializer):
    web = serializers.BooleanField(default=False)
    image = serializers.BooleanField(default=False)


class GenerationInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(
        # A refine job belongs to a thread (POST /api/v1/assets/{id}/refine/); a region edit carries
        # its region (POST /api/v1/assets/{id}/region-edit/).
        choices=[(kind.name, kind.label) for kind in kinds.KINDS if not kind.in_thread and not kind.request_hook], default=Kind.GENERATE,
    )
    prompt = serializers.CharField(max_length=catalogue.MAX_PROMPT_CHARS, required=False, allow_blank=True, default="")
    model = serializers.CharField(
        max_length=80, required=False, allow_null=True, default=None,
        help_text=f"A model alias or full id. Default: {catalogue.DEFAULT_MODEL}, or for edit, translate and upscale the source's model.",
    )
    aspect_ratio = serializers.CharField(max_length=8, required=False, allow_null=True, default=None)
    image_size = serializers.CharField(max_length=8, required=False, allow_null=True, default=None)
    thinking_level = serializers.CharField(max_length=16, required=False, allow_null=True, allow_blank=True, default=None)
    grounding = GroundingInputSerializer(required=False)
    characters = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    objects = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    source_assets = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    target_language = serializers.CharField(max_length=16, required=False, allow_blank=True, default="")
    count = serializers.IntegerField(min_value=1, max_value=catalogue.MAX_VARIATIONS, default=1)
    delivery = serializers.ChoiceField(
        choices=Delivery.choices, default=Delivery.INTERACTIVE,
        help_text=f"'batch': the Batch API at half price, {catalogue.BATCH_TURNAROUND}; the job waits queued meanwhile.",
    )

    def to_input(self) -> GenerationInput:
        data = dict(self.validated_data)
        grounding = data.pop("grounding", None) or {}
        return GenerationInput(web_search=grounding.get("web", False), image_search=grounding.get("image", False), **data)


class QuoteWarningSerializer(serializers.Serializer):
    code = serializers.CharField()
    field = serializers.CharField()
    limit = serializers.IntegerField()
    value = serializers.IntegerField()
    message = serializers.CharField()


class QuoteOutputSerializer(serializers.Serializer):
    estimate_usd = serializers.DecimalField(
        max_digits=12, decimal_places=4, coerce_to_string=True, help_text="At the delivery asked: price per image x count.",
    )
    estimates_usd = serializers.DictField(
        child=serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=True),
        help_text="At each delivery (interactive, batch).",
    )
    warnings = QuoteWarningSerializer(many=True, help_text="The model's reference guidance the request goes past (never a refusal).")


class GenerationOutputSerializer(serializers.ModelSerializer):
    model_alias = serializers.SerializerMethodField()
    grounding_settings = serializers.SerializerMethodField()
    error = serializers.SerializerMethodField()
    batch = serializers.SerializerMethodField()
    source_assets = serializers.SerializerMethodField()
    references = serializers.SerializerMethodField()
    assets = AssetOutputSerializer(many=True, read_only=True)
    created_by = serializers.CharField(source="created_by.username", default=None)
    cost_usd = serializers.DecimalField(max_digits=10, decimal_places=4, coerce_to_string=True)

    class Meta:
        model = Generation
        fields = [
            "id", "project", "kind", "status", "prompt", "model", "model_alias", "aspect_ratio", "image_size",
            "thinking_level", "grounding_settings", "target_language", "count", "delivery", "batch", "system_instruction",
            "source_assets", "references", "warnings", "attempts", "upstream_calls", "error", "usage", "cost_usd",
            "model_version", "response_id", "model_text", "grounding", "assets", "created_by", "created_at",
            "started_at", "finished_at",
        ]

    def get_model_alias(self, generation) -> str | None:
        model = catalogue.get_model(generation.model)
        return model.alias if model else None

    def get_grounding_settings(self, generation) -> dict:
        return {"web": generation.web_search, "image": generation.image_search}

    def get_error(self, generation) -> dict | None:
        if not generation.error_code:
            return None
        return {"code": generation.error_code, "message": generation.error_message, "final": generation.status == Status.FAILED}

    def get_batch(self, generation) -> dict | None:
        """For a batch job: its upstream batch's state and when it was last checked."""
        # Read from the job's delivery backend (apps/generations/deliveries.py); None for interactive jobs.
        return deliveries.backend(generation.delivery).describe(generation)

    def get_source_assets(self, generation) -> list[str]:
        return [str(source.asset_id) for source in generation.sources.all()]

    def get_references(self, generation) -> list[dict]:
        return [
            {"reference_image": str(ref.reference_image_id), "label": ref.label, "sha256": ref.sha256}
            for ref in generation.references.all()
        ]


class RegionEditInputSerializer(StrictInputSerializer):
    """JSON with a `region`, or multipart with a `mask` file (and `region` left out)."""

    prompt = serializers.CharField(max_length=catalogue.MAX_PROMPT_CHARS, help_text="What to change inside the region.")
    region = serializers.JSONField(required=False, default=None, help_text='{"x", "y", "w", "h"}, each 0–1 of the source.')
    mask = serializers.FileField(required=False, default=None, help_text="A PNG the source's size, white where it may change.")
    mode = serializers.ChoiceField(choices=regions.MODES, default="crop", help_text="crop: the model is sent the region with context; marked: the whole image and a copy with the region outlined.")
    model = serializers.CharField(max_length=80, required=False, allow_null=True, default=None, help_text="Default: the source's model.")
    feather = serializers.IntegerField(min_value=0, max_value=regions.MAX_FEATHER_PX, default=regions.FEATHER_PX, help_text="Blend width in pixels, inside the region's edge.")
    characters = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50,
                                       help_text="Library characters whose reference images are sent with the crop (to keep a face or product exact).")
    objects = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50,
                                    help_text="Library objects whose reference images are sent with the crop.")

    def validate_region(self, value):
        if isinstance(value, str):  # multipart sends JSON as text
            try:
                return json.loads(value) if value.strip() else None
            except ValueError as exc:
                raise serializers.ValidationError('Send the region as JSON: {"x", "y", "w", "h"}.') from exc
        return value
