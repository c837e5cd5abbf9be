from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.approvals import policy, selectors, services
from apps.approvals.api.serializers import (
    CommentApplyInputSerializer,
    CommentInputSerializer,
    CommentOutputSerializer,
    CommentUpdateSerializer,
    ApprovePassingOutputSerializer,
    ApprovePassingSelectionSerializer,
    ReviewInputSerializer,
    ReviewOutputSerializer,
    ReviewPolicyInputSerializer,
    ReviewPolicyOutputSerializer,
)
from apps.approvals.models import Comment
from apps.assets.models import Asset
from apps.generations.api.serializers import GenerationOutputSerializer
from apps.generations.selectors import generation_queryset
from apps.core.exceptions import ValidationFailed
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


class CommentListApi(APIView):
    """An asset's comment threads, and pinned comments from the versions it was made from."""

    @extend_schema(responses=CommentOutputSerializer(many=True))
    def get(self, request, asset_id):
        return Response(CommentOutputSerializer(selectors.asset_comments(_asset(request, asset_id)), many=True).data)

    @extend_schema(request=CommentInputSerializer, responses={201: CommentOutputSerializer})
    def post(self, request, asset_id):
        asset = _asset(request, asset_id)
        data = CommentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data["parent"] is not None:
            parent = Comment.objects.filter(pk=data.validated_data["parent"], asset=asset).first()
            if parent is None:
                raise ValidationFailed("There is no such comment on this asset to reply to.", field="parent", code="not_found")
        comment = services.comment_create(
            user=request.user, asset=asset, body=data.validated_data["body"], pin=data.validated_data["pin"], parent=parent,
        )
        return Response(CommentOutputSerializer(comment).data, status=status.HTTP_201_CREATED)


class CommentApi(APIView):
    @extend_schema(request=CommentUpdateSerializer, responses=CommentOutputSerializer)
    def patch(self, request, comment_id):
        comment = project_policy.object_for(request.user, Comment.objects.select_related("asset"), comment_id, project_path="asset__project")
        data = CommentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        comment = services.comment_update(user=request.user, comment=comment, **data.validated_data)
        return Response(CommentOutputSerializer(comment).data)


class CommentApplyApi(APIView):
    """Apply as edit: the comment's rectangle becomes a region edit with the comment as instruction."""

    @extend_schema(request=CommentApplyInputSerializer, responses={201: GenerationOutputSerializer})
    def post(self, request, comment_id):
        comment = project_policy.object_for(request.user, Comment.objects.select_related("asset"), comment_id, Action.GENERATE, project_path="asset__project")
        data = CommentApplyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        generation = services.comment_apply(user=request.user, comment=comment, **data.validated_data)
        generation = generation_queryset().get(pk=generation.pk)
        return Response(GenerationOutputSerializer(generation, context={"request": request}).data, status=status.HTTP_201_CREATED)


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
