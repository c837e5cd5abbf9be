from rest_framework import serializers

from apps.approvals.models import COMMENT_MAX_CHARS, WAIVER_MAX_CHARS, Decision, Review, ReviewPolicy
from apps.approvals.policy import MAX_APPROVALS_REQUIRED
from apps.core.serializers import StrictInputSerializer
from apps.projects.models import Role


class ReviewInputSerializer(StrictInputSerializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comment = serializers.CharField(max_length=COMMENT_MAX_CHARS, required=False, allow_blank=True, default="")
    waiver = serializers.CharField(
        max_length=WAIVER_MAX_CHARS, required=False, allow_blank=True, default="",
        help_text="Approving over failing brand checks: why. Needed when the policy's checks_must_pass is on (else 409 checks_failed).",
    )


class ReviewOutputSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", default=None)
    review_status = serializers.CharField(source="asset.review_status")

    class Meta:
        model = Review
        fields = ["id", "asset", "decision", "comment", "waiver", "waived_checks", "reviewer", "review_status", "policy_in_force", "created_at"]


class ReviewPolicyInputSerializer(StrictInputSerializer):
    decider_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1, max_length=4)
    four_eyes = serializers.BooleanField()
    approvals_required = serializers.IntegerField(min_value=1, max_value=MAX_APPROVALS_REQUIRED)
    checks_must_pass = serializers.BooleanField(help_text="Approving an asset with a failing brand check needs a waiver.")


class ReviewPolicyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPolicy
        fields = ["decider_roles", "four_eyes", "approvals_required", "checks_must_pass"]


class ApprovePassingSelectionSerializer(StrictInputSerializer):
    assets = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=200, help_text="Asset ids of the project (at most 200).")


class ApprovePassingRefusalSerializer(serializers.Serializer):
    asset = serializers.UUIDField()
    title = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()


class ApprovePassingOutputSerializer(serializers.Serializer):
    """What "approve all that pass" did: approved (checks passed, decision recorded), refused (a rule
    such as four-eyes said no; each with why), not_passing (checks failed, need attention, still
    checking or never ran: left for a person)."""

    approved = serializers.IntegerField()
    refused = serializers.IntegerField()
    not_passing = serializers.IntegerField()
    approved_assets = serializers.ListField(child=serializers.UUIDField())
    refusals = ApprovePassingRefusalSerializer(many=True)
    not_passing_assets = serializers.ListField(child=serializers.DictField())
