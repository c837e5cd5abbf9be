from rest_framework import serializers

from apps.apikeys.models import ApiKey, KeyRole
from apps.core.serializers import StrictInputSerializer


class ApiKeyInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=100)
    role = serializers.ChoiceField(choices=KeyRole.choices)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Optional; the key stops working then.")


class ApiKeyOutputSerializer(serializers.ModelSerializer):
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ApiKey
        fields = ["id", "project", "name", "role", "prefix", "created_by", "created_at", "expires_at", "revoked_at", "last_used_at"]


class ApiKeyCreatedSerializer(ApiKeyOutputSerializer):
    """The key itself is shown once, in this answer; only its hash is stored."""

    key = serializers.CharField(read_only=True, help_text="Send as `Authorization: Bearer <key>`. Shown only now.")

    class Meta(ApiKeyOutputSerializer.Meta):
        fields = [*ApiKeyOutputSerializer.Meta.fields, "key"]


class TokenInputSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False)


class TokenOutputSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send as `Authorization: Token <token>`; it ends when the password changes.")
