from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.images import upload_read
from apps.assets.models import Asset
from apps.core.pagination import NewestFirstCursorPagination, paginated_response
from apps.core.schema import error_response
from apps.core.throttling import JobCreationThrottle
from apps.generations import quotes, region_edits, selectors, services
from apps.generations.api.serializers import (
    GenerationInputSerializer,
    GenerationOutputSerializer,
    QuoteOutputSerializer,
    RegionEditInputSerializer,
)
from apps.projects import policy
from apps.projects.policy import Action

IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Retrying with the same key and body returns the first job instead of making a second.",
)


def _answer(request, generation, status_code=status.HTTP_200_OK):
    generation = selectors.generation_queryset().get(pk=generation.pk)
    return Response(GenerationOutputSerializer(generation, context={"request": request}).data, status=status_code)


class GenerationListApi(APIView):
    pagination_class = NewestFirstCursorPagination
    throttle_classes = [JobCreationThrottle]

    @extend_schema(responses=GenerationOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        return paginated_response(
            request=request, view=self, queryset=selectors.generation_list(project=project),
            serializer_class=GenerationOutputSerializer,
        )

    @extend_schema(
        request=GenerationInputSerializer, parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: GenerationOutputSerializer,
            200: OpenApiResponse(GenerationOutputSerializer, description="The job an earlier request with this Idempotency-Key made."),
            402: error_response("402"),
        },
    )
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.GENERATE)
        data = GenerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()[:200]
        generation, created = services.generation_create(project=project, user=request.user, data=data.to_input(), idempotency_key=key)
        return _answer(request, generation, status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class GenerationQuoteApi(APIView):
    @extend_schema(request=GenerationInputSerializer, responses={200: QuoteOutputSerializer})
    def post(self, request, project_id):
        """What creating this job would cost and which model guidance it goes past, from the same
        checks creating it runs (a refusal is the same error). Nothing is made; no prompt needed."""
        project = policy.project_for(request.user, project_id, Action.GENERATE)
        data = GenerationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(QuoteOutputSerializer(quotes.generation_quote(project=project, data=data.to_input())).data)


class GenerationDetailApi(APIView):
    @extend_schema(responses=GenerationOutputSerializer)
    def get(self, request, generation_id):
        generation = policy.object_for(request.user, selectors.generation_queryset(), generation_id)
        return Response(GenerationOutputSerializer(generation, context={"request": request}).data)


class GenerationCancelApi(APIView):
    @extend_schema(request=None, responses=GenerationOutputSerializer)
    def post(self, request, generation_id):
        generation = policy.object_for(request.user, selectors.generation_queryset(), generation_id, Action.GENERATE)
        return _answer(request, services.generation_cancel(generation=generation))


class RegionEditApi(APIView):
    """Change one part of an asset; every pixel outside the region stays the source's."""

    throttle_classes = [JobCreationThrottle]
    parser_classes = [JSONParser, MultiPartParser]  # a rectangle as JSON, a brush mask as an upload

    @extend_schema(
        request=RegionEditInputSerializer, parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: GenerationOutputSerializer,
            200: OpenApiResponse(GenerationOutputSerializer, description="The job an earlier request with this Idempotency-Key made."),
            402: error_response("402"),
        },
    )
    def post(self, request, asset_id):
        asset = policy.object_for(request.user, Asset.objects.select_related("generation"), asset_id, Action.GENERATE)
        data = RegionEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        mask = fields.pop("mask")
        generation, created = region_edits.region_edit_create(
            user=request.user, asset=asset, mask=upload_read(mask, field="mask") if mask else None,
            idempotency_key=request.headers.get("Idempotency-Key", "").strip()[:200], **fields,
        )
        return _answer(request, generation, status.HTTP_201_CREATED if created else status.HTTP_200_OK)
