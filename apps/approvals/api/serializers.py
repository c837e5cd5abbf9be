from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.approvals.models import COMMENT_MAX_CHARS, WAIVER_MAX_CHARS, Comment, Decision, Review, ReviewPolicy
from apps.approvals.policy import MAX_APPROVALS_REQUIRED
from apps.assets import regions
from apps.core.serializers import StrictInputSerializer
from apps.gemini import catalogue
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
        fields = ["id", "asset", "decision", "comment", "waiver", "waived_checks", "reviewer", "guest", "review_status", "policy_in_force", "created_at"]


class ReviewPolicyInputSerializer(StrictInputSerializer):
    decider_roles = serializers.ListField(child=serializers.ChoiceField(choices=Role.choices), min_length=1, max_length=4)
    four_eyes = serializers.BooleanField()
    approvals_required = serializers.IntegerField(min_value=1, max_value=MAX_APPROVALS_REQUIRED)
    checks_must_pass = serializers.BooleanField(help_text="Approving an asset with a failing brand check needs a waiver.")
    guests_count = serializers.BooleanField(help_text="A guest's approval through a review link counts toward the approvals required.")
    editors_share_links = serializers.BooleanField(help_text="Editors may create and revoke review links (owners always may).")


class ReviewPolicyOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReviewPolicy
        fields = ["decider_roles", "four_eyes", "approvals_required", "checks_must_pass", "guests_count", "editors_share_links"]


class CommentInputSerializer(StrictInputSerializer):
    body = serializers.CharField(allow_blank=True, trim_whitespace=False)  # limits: services, with their numbers
    pin = serializers.JSONField(required=False, allow_null=True, default=None)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="Reply to this comment.")


class CommentUpdateSerializer(StrictInputSerializer):
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, help_text="Your own comments only.")
    resolved = serializers.BooleanField(required=False, help_text="true resolves the thread, false reopens it.")


class CommentReplySerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None)
    mentions = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)

    class Meta:
        model = Comment
        fields = ["id", "author", "body", "mentions", "created_at", "edited_at"]


class CommentOutputSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", default=None)
    mentions = serializers.SlugRelatedField(slug_field="username", many=True, read_only=True)
    resolved = serializers.BooleanField(source="is_resolved")
    resolved_by = serializers.CharField(source="resolved_by.username", default=None)
    number = serializers.IntegerField(default=None, help_text="The pin's marker number on this asset's image.")
    on_earlier_version = serializers.BooleanField(default=False, help_text="Pinned on a version this asset was made from.")
    replies = serializers.SerializerMethodField()
    addressed_in = serializers.SerializerMethodField(help_text="The asset made by applying this comment as an edit, once stored.")

    class Meta:
        model = Comment
        fields = [
            "id", "asset", "parent", "author", "guest", "body", "pin", "number", "on_earlier_version", "mentions", "resolved",
            "resolved_at", "resolved_by", "addressed_by", "addressed_in", "replies", "created_at", "edited_at",
        ]

    @extend_schema_field(OpenApiTypes.UUID)
    def get_addressed_in(self, comment):
        asset = comment.addressed_in
        return str(asset.pk) if asset else None

    def get_replies(self, comment) -> list[dict]:
        if comment.parent_id:
            return []
        return CommentReplySerializer(comment.replies.all(), many=True).data


class CommentApplyInputSerializer(StrictInputSerializer):
    prompt = serializers.CharField(max_length=catalogue.MAX_PROMPT_CHARS, required=False, allow_blank=True, default="", help_text="Reword the instruction; default: the comment.")
    mode = serializers.ChoiceField(choices=regions.MODES, default="crop")
    model = serializers.CharField(max_length=80, required=False, allow_null=True, default=None)


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
