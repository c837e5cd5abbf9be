from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.projects import policy
from apps.projects.policy import Action
from apps.webhooks import services
from apps.webhooks.api.serializers import (
    DeliveryOutputSerializer,
    EndpointCreatedSerializer,
    EndpointInputSerializer,
    EndpointOutputSerializer,
    SecretRotateInputSerializer,
)
from apps.webhooks.models import WebhookEndpoint

SIGNING = (
    "Deliveries follow Standard Webhooks (https://www.standardwebhooks.com/): headers `webhook-id`, "
    "`webhook-timestamp` and `webhook-signature`; verify them with a `standardwebhooks` library and the "
    "endpoint's `whsec_` secret. The JSON body is one of the `WebhookEvent` payloads, chosen by `type`."
)


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    return policy.object_for(request.user, WebhookEndpoint.objects.all(), endpoint_id, Action.MANAGE_PROJECT)


class EndpointListApi(APIView):
    @extend_schema(responses=EndpointOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        return Response(EndpointOutputSerializer(project.webhook_endpoints.order_by("created_at"), many=True).data)

    @extend_schema(request=EndpointInputSerializer, responses={201: EndpointCreatedSerializer}, description=SIGNING)
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        data = EndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(project=project, actor=request.user, **data.validated_data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, endpoint_id):
        services.endpoint_delete(endpoint=_endpoint(request, endpoint_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SecretRotateApi(APIView):
    @extend_schema(request=SecretRotateInputSerializer, responses=EndpointCreatedSerializer)
    def post(self, request, endpoint_id):
        """A new signing secret, shown once. Until `previous_secret_expires_at` every delivery is signed
        with both secrets (two `v1,` signatures), so receivers can switch without missing one."""
        endpoint = _endpoint(request, endpoint_id)
        data = SecretRotateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        grace = data.validated_data.get("grace_seconds", settings.WEBHOOK_SECRET_GRACE_SECONDS)
        endpoint = services.endpoint_secret_rotate(
            endpoint=endpoint, grace_seconds=grace, secret=data.validated_data.get("secret", ""), actor=request.user,
        )
        return Response(EndpointCreatedSerializer(endpoint).data)


class DeliveryListApi(APIView):
    @extend_schema(responses=DeliveryOutputSerializer(many=True))
    def get(self, request, endpoint_id):
        """The latest 100 deliveries with every attempt."""
        deliveries = _endpoint(request, endpoint_id).deliveries.prefetch_related("attempt_log")[:100]
        return Response(DeliveryOutputSerializer(deliveries, many=True).data)
