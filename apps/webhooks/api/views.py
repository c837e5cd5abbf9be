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
)
from apps.webhooks.models import WebhookEndpoint


class EndpointListApi(APIView):
    @extend_schema(responses=EndpointOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        return Response(EndpointOutputSerializer(project.webhook_endpoints.order_by("created_at"), many=True).data)

    @extend_schema(request=EndpointInputSerializer, responses={201: EndpointCreatedSerializer})
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        data = EndpointInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = services.endpoint_create(project=project, actor=request.user, **data.validated_data)
        return Response(EndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED)


class EndpointDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, endpoint_id):
        endpoint = policy.object_for(request.user, WebhookEndpoint.objects.all(), endpoint_id, Action.MANAGE_PROJECT)
        services.endpoint_delete(endpoint=endpoint, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DeliveryListApi(APIView):
    @extend_schema(responses=DeliveryOutputSerializer(many=True))
    def get(self, request, endpoint_id):
        endpoint = policy.object_for(request.user, WebhookEndpoint.objects.all(), endpoint_id, Action.MANAGE_PROJECT)
        deliveries = endpoint.deliveries.prefetch_related("attempt_log")[:100]
        return Response(DeliveryOutputSerializer(deliveries, many=True).data)
