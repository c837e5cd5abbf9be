from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.files import file_response
from apps.assets.selectors import asset_queryset
from apps.core.schema import binary_responses
from apps.placements import selectors, services
from apps.placements.api.serializers import (
    AssetPlacementSerializer,
    PlacementInputSerializer,
    PlacementListQuerySerializer,
    PlacementOutputSerializer,
)
from apps.placements.catalogue import MIME_BY_FORMAT
from apps.projects import policy
from apps.projects.policy import Action


class PlacementListApi(APIView):
    @extend_schema(parameters=[PlacementListQuerySerializer], responses=PlacementOutputSerializer(many=True))
    def get(self, request):
        """The placement catalogue; with `project`, that project's own placements too."""
        query = PlacementListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        project_id = query.validated_data.get("project")
        project = policy.project_for(request.user, project_id) if project_id else None
        return Response(PlacementOutputSerializer([p.as_dict() for p in selectors.placements_for(project)], many=True).data)


class ProjectPlacementListApi(APIView):
    @extend_schema(responses=PlacementOutputSerializer(many=True))
    def get(self, request, project_id):
        """The project's own placements (members)."""
        project = policy.project_for(request.user, project_id)
        return Response(PlacementOutputSerializer([p.as_dict() for p in selectors.project_placements(project)], many=True).data)

    @extend_schema(request=PlacementInputSerializer, responses={201: PlacementOutputSerializer})
    def post(self, request, project_id):
        """Add a placement (owners). Refused: sizes outside 16–8192 px, byte limits outside 1 KiB–200 MiB,
        a shape no model can generate closely, a key the catalogue or the project already has."""
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        data = PlacementInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = services.project_placement_create(project=project, user=request.user, data=data.validated_data)
        return Response(PlacementOutputSerializer(selectors.placement_get(project, row.key).as_dict()).data, status=status.HTTP_201_CREATED)


def _asset(request, asset_id):
    return policy.object_for(request.user, asset_queryset(), asset_id)


class AssetPlacementListApi(APIView):
    @extend_schema(responses=AssetPlacementSerializer(many=True))
    def get(self, request, asset_id):
        """Each placement of the asset: made or not yet, its bytes, crop and safe-zone result."""
        asset = _asset(request, asset_id)
        rendered = selectors.rendered_placements(asset)
        rows = []
        for placement in selectors.placements_for(asset.project):
            summary = services.placement_summary(asset, placement, rendered.get(placement.key))
            summary["file_url"] = request.build_absolute_uri(reverse("asset-placement-file", args=[asset.pk, placement.key]))
            rows.append(summary)
        return Response(AssetPlacementSerializer(rows, many=True).data)


class AssetPlacementFileApi(APIView):
    @extend_schema(responses=binary_responses(*MIME_BY_FORMAT.values(), description="The placement file, with Content Credentials."))
    def get(self, request, asset_id, key):
        """The asset at the placement's exact pixels, under its byte limit, carrying Content
        Credentials (made on the first request; 422 with the figures when it cannot fit)."""
        asset = _asset(request, asset_id)
        placement = selectors.placement_get(asset.project, key)
        row = services.placement_file(asset, placement, user=request.user)
        rendition = row.rendition
        extension = rendition.file.name.rsplit(".", 1)[-1]
        response = file_response(rendition.file.name, mime_type=rendition.mime_type, filename=f"{asset.pk}-{key}.{extension}")
        response["X-Placement-Quality"] = str(row.quality or "")
        return response
