from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.approvals import policy, services
from apps.approvals.api.serializers import (
    ReviewInputSerializer,
    ReviewOutputSerializer,
    ReviewPolicyInputSerializer,
    ReviewPolicyOutputSerializer,
)
from apps.assets.models import Asset
from apps.projects import policy as project_policy
from apps.projects.policy import Action


def _asset(request, asset_id) -> Asset:
    return project_policy.object_for(request.user, Asset.objects.select_related("generation"), asset_id)


class ReviewListApi(APIView):
    @extend_schema(responses=ReviewOutputSerializer(many=True))
    def get(self, request, asset_id):
        reviews = _asset(request, asset_id).reviews.select_related("reviewer", "asset")
        return Response(ReviewOutputSerializer(reviews, many=True).data)

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewOutputSerializer})
    def post(self, request, asset_id):
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_decide(user=request.user, asset=_asset(request, asset_id), **data.validated_data)
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)


class ReviewPolicyApi(APIView):
    @extend_schema(responses=ReviewPolicyOutputSerializer)
    def get(self, request, project_id):
        project = project_policy.project_for(request.user, project_id)
        return Response(ReviewPolicyOutputSerializer(policy.policy_for(project)).data)

    @extend_schema(request=ReviewPolicyInputSerializer, responses=ReviewPolicyOutputSerializer)
    def patch(self, request, project_id):
        project = project_policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        data = ReviewPolicyInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        rules = services.review_policy_update(project=project, actor=request.user, **data.validated_data)
        return Response(ReviewPolicyOutputSerializer(rules).data)
