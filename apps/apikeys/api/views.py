from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.apikeys import services
from apps.apikeys.api.serializers import (
    ApiKeyCreatedSerializer,
    ApiKeyInputSerializer,
    ApiKeyOutputSerializer,
    TokenInputSerializer,
    TokenOutputSerializer,
)
from apps.apikeys.models import ApiKey
from apps.core.exceptions import ValidationFailed
from apps.core.schema import error_response
from apps.projects import policy
from apps.projects.policy import Action


class TokenObtainApi(APIView):
    """A personal token for username and password, sent as a form (what `curl -d` sends)."""

    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [FormParser]

    @extend_schema(
        operation_id="auth_token_create", request=TokenInputSerializer, auth=[],
        responses={200: TokenOutputSerializer, 400: error_response("400"), 415: error_response("415")},
    )
    def post(self, request):
        data = TokenInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = authenticate(request=request, **data.validated_data)
        if user is None:
            raise ValidationFailed("Unable to log in with the username and password given.", code="invalid_credentials")
        return Response({"token": services.personal_token_issue(user=user).key})


class ApiKeyListApi(APIView):
    @extend_schema(responses=ApiKeyOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_MEMBERS)
        keys = project.api_keys.select_related("created_by")
        return Response(ApiKeyOutputSerializer(keys, many=True).data)

    @extend_schema(request=ApiKeyInputSerializer, responses={201: ApiKeyCreatedSerializer})
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_MEMBERS)
        data = ApiKeyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        api_key, raw_key = services.api_key_create(project=project, created_by=request.user, **data.validated_data)
        api_key.key = raw_key
        return Response(ApiKeyCreatedSerializer(api_key).data, status=status.HTTP_201_CREATED)


class ApiKeyDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, key_id):
        """Revokes the key at once; the row stays, so the list shows when it was revoked."""
        api_key = policy.object_for(request.user, ApiKey.objects.all(), key_id, Action.MANAGE_MEMBERS)
        services.api_key_revoke(api_key=api_key, revoked_by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
