from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.approvals import policy, services
from apps.approvals.api.serializers import (
    ApprovePassingOutputSerializer,
    ApprovePassingSelectionSerializer,
    ReviewInputSerializer,
    ReviewOutputSerializer,
    ReviewPolicyInputSerializer,
    ReviewPolicyOutputSerializer,
)
from apps.assets.models import Asset
from apps.assets.selectors import asset_queryset
from apps.core.exceptions import NotAllowed
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


def require_decider(user, project) -> None:
    """Approving in bulk is for members whose role may decide: anyone else gets 403 up front,
    not a list of per-asset refusals."""
    role = project_policy.role_of(user, project)
    if not policy.role_may_decide(project, role):
        raise NotAllowed(f"Your role ({role}) may not decide reviews in this project. Allowed roles: {', '.join(policy.policy_for(project).decider_roles)}.",
                         code="permission_denied")


class ApprovePassingApi(APIView):
    @extend_schema(request=ApprovePassingSelectionSerializer, responses=ApprovePassingOutputSerializer)
    def post(self, request, project_id):
        """Approve exactly the selected pending assets whose brand checks passed (four-eyes still applies)."""
        project = project_policy.project_for(request.user, project_id)
        require_decider(request.user, project)
        data = ApprovePassingSelectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assets = asset_queryset().filter(project=project, pk__in=data.validated_data["assets"]).select_related("project").order_by("created_at", "id")
        return Response(ApprovePassingOutputSerializer(services.approve_passing(user=request.user, assets=assets)).data)
