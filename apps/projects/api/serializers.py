from rest_framework import serializers
from apps.core.serializers import StrictInputSerializer

from apps.projects.models import Membership, Project, Role


class ProjectInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=200)
    brief = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    monthly_budget_usd = serializers.DecimalField(max_digits=10, decimal_places=2, min_value=0, required=False, allow_null=True)
    credentials_include_prompt = serializers.BooleanField(required=False)


class ProjectOutputSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "brief", "monthly_budget_usd", "credentials_include_prompt", "role", "created_at", "updated_at"]

    def get_role(self, project) -> str | None:
        return getattr(project, "my_role", None) or self.context.get("role")


class MemberInputSerializer(StrictInputSerializer):
    username = serializers.CharField(max_length=150)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(StrictInputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class MemberOutputSerializer(serializers.ModelSerializer):
    user_id = serializers.IntegerField(source="user.id")
    username = serializers.CharField(source="user.username")

    class Meta:
        model = Membership
        fields = ["user_id", "username", "role", "created_at"]
