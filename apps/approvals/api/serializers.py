from rest_framework import serializers

from apps.approvals.models import COMMENT_MAX_CHARS, Decision, Review, ReviewPolicy
from apps.approvals.policy import MAX_APPROVALS_REQUIRED
from apps.core.serializers import StrictInputSerializer
from apps.projects.models import Role


class ReviewInputSerializer(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(max_length=COMMENT_MAX_CHARS, required=False, allow_blank=True, default="")


class ReviewOutputSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", default=None)
    review_status = serializers.CharField(source="asset.review_status")

    class Meta:
        model = Review
        fields = ["id", "asset", "decision", "comment", "reviewer", "review_status", "policy_in_force", "created_at"]


class ReviewPolicyInputSerializer(StrictInputSerializer):
    decider_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1, max_length=4)
    four_eyes = serializers.BooleanField()
    approvals_required = serializers.IntegerField(min_value=1, max_value=MAX_APPROVALS_REQUIRED)


class ReviewPolicyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPolicy
        fields = ["decider_roles", "four_eyes", "approvals_required"]
