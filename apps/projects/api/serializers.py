from rest_framework import serializers
from apps.core.serializers import StrictInputSerializer

from apps.projects.models import Invitation, Membership, Project, Role


class ProjectInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    brief = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    monthly_budget_usd = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    budget_alert_percent = serializers.IntegerField(
        min_value=1, max_value=100, required=False, allow_null=True,
        help_text="Alert the owners (email and the webhook event project.budget_alert) once a month when spend reaches this % of the budget.",
    )
    credentials_include_prompt = serializers.BooleanField(required=False)
    credentials_include_names = serializers.BooleanField(
        required=False, help_text="Delivered files' Content Credentials name the maker, reviewers, project and references.",
    )
    credentials_include_comments = serializers.BooleanField(
        required=False, help_text="Delivered files' Content Credentials carry review comments.",
    )


class ProjectOutputSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "brief", "monthly_budget_usd", "budget_alert_percent", "credentials_include_prompt",
                  "credentials_include_names", "credentials_include_comments", "role", "created_at", "updated_at"]

    def get_role(self, project) -> str | None:
        return getattr(project, "my_role", None) or self.context.get("role")


class InvitationInputSerializer(StrictInputSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationOutputSerializer(serializers.ModelSerializer):
    status = serializers.SerializerMethodField()

    class Meta:
        model = Invitation
        fields = ["email", "role", "status", "expires_at"]

    def get_status(self, invitation) -> str:
        return "invited"


class PendingInvitationSerializer(serializers.ModelSerializer):
    """An open invitation as its project's owners see it (the token is never shown again)."""

    invited_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Invitation
        fields = ["id", "email", "role", "invited_by", "created_at", "expires_at"]


class InvitationAcceptSerializer(StrictInputSerializer):
    token = serializers.CharField(max_length=100)


class MemberUpdateSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberOutputSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["user_id", "username", "role", "created_at"]
