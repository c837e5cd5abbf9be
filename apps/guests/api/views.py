from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.guests import policy, services
from apps.guests.api.serializers import ReviewLinkCreatedSerializer, ReviewLinkInputSerializer, ReviewLinkOutputSerializer
from apps.projects.policy import refuse_key_principal


class ReviewLinkListApi(APIView):
    @extend_schema(responses=ReviewLinkOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for_sharing(request.user, project_id)
        links = project.review_links.select_related("created_by").prefetch_related("assets")
        return Response(ReviewLinkOutputSerializer(links, many=True).data)

    @extend_schema(request=ReviewLinkInputSerializer, responses={201: ReviewLinkCreatedSerializer})
    def post(self, request, project_id):
        project = policy.project_for_sharing(request.user, project_id)
        refuse_key_principal(request.user, "share review links")  # a link must not outlive the key that made it
        data = ReviewLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        link, token = services.review_link_create(project=project, user=request.user, data=services.ReviewLinkInput(**data.validated_data))
        link.url = request.build_absolute_uri(f"/r/{token}/")
        return Response(ReviewLinkCreatedSerializer(link).data, status=status.HTTP_201_CREATED)


class ReviewLinkDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, link_id):
        """Revokes the link at once (guests get 410); the row and its guests' decisions stay."""
        services.review_link_revoke(link=policy.link_for_sharing(request.user, link_id), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
