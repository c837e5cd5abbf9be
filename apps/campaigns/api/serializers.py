from rest_framework import serializers

from apps.assets.models import ReviewStatus
from apps.campaigns.models import (
    COPY_MAX_CHARS,
    MAX_PRODUCTS,
    MAX_SCENES,
    NAME_MAX_CHARS,
    SCENE_MAX_CHARS,
    SOURCE,
    Campaign,
    Stage,
)
from apps.campaigns.services import CampaignInput
from apps.campaigns.stages import DRAFT_DEFAULTS, FINAL_DEFAULTS
from apps.core.serializers import StrictInputSerializer
from apps.gemini import catalogue
from apps.generations.models import Delivery


class DraftSettingsSerializer(StrictInputSerializer):
    model = serializers.CharField(max_length=80, default=DRAFT_DEFAULTS["model"], help_text="A model alias or full id.")
    image_size = serializers.CharField(max_length=8, default=DRAFT_DEFAULTS["image_size"])


class FinalSettingsSerializer(StrictInputSerializer):
    model = serializers.CharField(max_length=80, default=FINAL_DEFAULTS["model"], help_text="A model alias or full id.")
    image_size = serializers.CharField(max_length=8, default=FINAL_DEFAULTS["image_size"])


class CampaignInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=NAME_MAX_CHARS)
    products = serializers.ListField(child=serializers.UUIDField(), max_length=MAX_PRODUCTS, help_text="Library object ids.")
    characters = serializers.ListField(child=serializers.UUIDField(), required=False, default=list, max_length=50)
    scenes = serializers.ListField(child=serializers.CharField(max_length=SCENE_MAX_CHARS), max_length=MAX_SCENES)
    formats = serializers.ListField(
        child=serializers.CharField(max_length=24), max_length=len(catalogue.PIXELS_1K),
        help_text="Aspect ratios and/or placement keys (GET /api/v1/placements/): one generation per distinct ratio.",
    )
    languages = serializers.ListField(child=serializers.CharField(max_length=16), required=False, default=list, max_length=len(catalogue.LANGUAGES))
    copy = serializers.CharField(max_length=COPY_MAX_CHARS, required=False, allow_blank=True, default="")
    copy_by_language = serializers.DictField(child=serializers.CharField(max_length=COPY_MAX_CHARS), required=False, default=dict)
    variations = serializers.IntegerField(min_value=1, max_value=catalogue.MAX_VARIATIONS, default=1)
    logo_required = serializers.BooleanField(
        required=False, allow_null=True, default=None,
        help_text="Whether every image must carry the brand's logo (the logo check fails without it); null: as the brand kit says.",
    )
    draft = DraftSettingsSerializer(required=False)
    final = FinalSettingsSerializer(required=False)

    def to_input(self) -> CampaignInput:
        data = dict(self.validated_data)
        data["draft"] = {**DRAFT_DEFAULTS, **(data.get("draft") or {})}
        data["final"] = {**FINAL_DEFAULTS, **(data.get("final") or {})}
        return CampaignInput(**data)


class CampaignOutputSerializer(serializers.ModelSerializer):
    products = serializers.SerializerMethodField()
    characters = serializers.SerializerMethodField()
    draft = serializers.SerializerMethodField()
    final = serializers.SerializerMethodField()
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = Campaign
        fields = [
            "id", "project", "name", "products", "characters", "scenes", "formats", "placements", "languages", "copy",
            "copy_by_language", "variations", "logo_required", "draft", "final", "created_by", "created_at",
        ]

    def get_products(self, campaign) -> list[str]:
        return [str(e.pk) for e in sorted(campaign.products.all(), key=lambda e: e.name)]

    def get_characters(self, campaign) -> list[str]:
        return [str(e.pk) for e in sorted(campaign.characters.all(), key=lambda e: e.name)]

    def get_draft(self, campaign) -> dict:
        return {"model": campaign.draft_model, "image_size": campaign.draft_size}

    def get_final(self, campaign) -> dict:
        return {"model": campaign.final_model, "image_size": campaign.final_size}


def _id(asset):
    return str(asset.pk) if asset is not None else None


class CellSerializer(serializers.Serializer):
    """From a `selectors.CellState`."""

    def to_representation(self, state):
        cell = state.cell
        return {
            "id": str(cell.pk),
            "product": str(cell.product_id),
            "product_name": cell.product.name,
            "scene": cell.scene_index + 1,
            "format": cell.aspect_ratio,
            "drafts_status": state.drafts.status,
            "drafts": [str(asset.pk) for asset in state.draft_assets],
            "chosen": _id(state.chosen),
            "versions": [
                {
                    "language": version.language,
                    "asset": _id(version.asset),
                    "status": "succeeded" if version.language == SOURCE else version.made.status,
                    "review_status": version.asset.review_status if version.asset else None,
                    "final": _id(version.final.asset),
                    "final_status": version.final.status,
                    "final_review_status": version.final.asset.review_status if version.final.asset else None,
                }
                for version in state.versions
            ],
        }


class CampaignDetailSerializer(CampaignOutputSerializer):
    class Meta(CampaignOutputSerializer.Meta):
        fields = CampaignOutputSerializer.Meta.fields + ["estimate_usd", "spent_usd", "stages", "cells"]

    estimate_usd = serializers.SerializerMethodField()
    spent_usd = serializers.SerializerMethodField()
    stages = serializers.SerializerMethodField()
    cells = serializers.SerializerMethodField()

    def get_estimate_usd(self, campaign) -> str:
        return str(sum(size.estimate_usd for size in self.context["sizes"]))

    def get_spent_usd(self, campaign) -> str:
        return str(self.context["spent"])

    def get_stages(self, campaign) -> dict:
        counts = self.context["counts"]
        return {
            size.stage: {"jobs": size.jobs, "images": size.images, "estimate_usd": str(size.estimate_usd), **counts[size.stage]}
            for size in self.context["sizes"]
        }

    def get_cells(self, campaign) -> list[dict]:
        return CellSerializer(self.context["states"], many=True).data


class StageInputSerializer(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)


class RunInputSerializer(StrictInputSerializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    dry_run = serializers.BooleanField(default=False)
    delivery = serializers.ChoiceField(
        choices=Delivery.choices, default=Delivery.INTERACTIVE,
        help_text=f"'batch': the stage's jobs go to the Batch API at half price, {catalogue.BATCH_TURNAROUND}.",
    )


class RunOutputSerializer(serializers.Serializer):
    stage = serializers.CharField()
    jobs_created = serializers.IntegerField()
    jobs_planned = serializers.IntegerField()
    estimate_usd = serializers.DecimalField(max_digits=12, decimal_places=4, coerce_to_string=True)
    dry_run = serializers.BooleanField()
    delivery = serializers.CharField()


class ChooseInputSerializer(StrictInputSerializer):
    asset = serializers.UUIDField()


class ExportFilterSerializer(serializers.Serializer):
    review_status = serializers.ChoiceField(
        choices=[*ReviewStatus.values, "all"], default="approved",
        help_text="Which finals go in: approved by default, `all` for every final.",
    )
    placements = serializers.CharField(
        required=False, default="", allow_blank=True,
        help_text="Comma-separated placement keys, or `campaign` for the campaign's own: each final as every placement of its ratio, "
        "at {channel}/{placement}/{language}/{product}-{scene}.{ext}; empty: the finals as generated.",
    )
