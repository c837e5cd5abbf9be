from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.approvals import services
from apps.approvals.api.serializers import ReviewInputSerializer, ReviewOutputSerializer
from apps.assets.models import Asset
from apps.projects import policy


class ReviewListApi(APIView):
    @extend_schema(responses=ReviewOutputSerializer(many=True))
    def get(self, request, asset_id):
        asset = policy.object_for(request.user, Asset.objects.all(), asset_id)
        reviews = asset.reviews.select_related("reviewer", "asset")
        return Response(ReviewOutputSerializer(reviews, many=True).data)

    @extend_schema(request=ReviewInputSerializer, responses={201: ReviewOutputSerializer})
    def post(self, request, asset_id):
        asset = policy.object_for(request.user, Asset.objects.all(), asset_id)
        data = ReviewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        review = services.review_decide(user=request.user, asset=asset, **data.validated_data)
        return Response(ReviewOutputSerializer(review).data, status=status.HTTP_201_CREATED)
