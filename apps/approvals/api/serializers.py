from rest_framework import serializers

from apps.approvals.models import Decision, Review
from apps.core.serializers import StrictInputSerializer


class ReviewInputSerializer(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(max_length=4000, required=False, allow_blank=True, default="")


class ReviewOutputSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", default=None)
    review_status = serializers.CharField(source="asset.review_status")

    class Meta:
        model = Review
        fields = ["id", "asset", "decision", "comment", "reviewer", "review_status", "created_at"]
