from django.http import FileResponse, Http404
from django.utils.text import slugify
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets import credentials, selectors, services
from apps.assets.api.serializers import (
    AssetFileQuerySerializer,
    AssetFilterSerializer,
    AssetOutputSerializer,
    AssetUploadSerializer,
    CredentialsSerializer,
    LineageEdgeSerializer,
    LineageNodeSerializer,
    LineageReferenceNodeSerializer,
)
from apps.assets.exports import export_zip
from apps.assets.files import file_response
from apps.assets.models import Asset
from apps.core.pagination import paginated_response
from apps.projects import policy
from apps.projects.policy import Action


def asset_for(request, asset_id, action=Action.VIEW) -> Asset:
    return policy.object_for(request.user, selectors.asset_queryset(), asset_id, action)


class AssetListApi(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(parameters=[AssetFilterSerializer], responses=AssetOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        filters = AssetFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        assets = selectors.asset_list(project=project, **filters.validated_data)
        return paginated_response(request=request, view=self, queryset=assets, serializer_class=AssetOutputSerializer)

    @extend_schema(request=AssetUploadSerializer, responses={201: AssetOutputSerializer})
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.UPLOAD)
        data = AssetUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        asset = services.asset_upload(project=project, user=request.user, data=data.validated_data["image"].read())
        asset = selectors.asset_queryset().get(pk=asset.pk)
        return Response(AssetOutputSerializer(asset, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AssetDetailApi(APIView):
    @extend_schema(responses=AssetOutputSerializer)
    def get(self, request, asset_id):
        return Response(AssetOutputSerializer(asset_for(request, asset_id), context={"request": request}).data)


class AssetFileApi(APIView):
    @extend_schema(parameters=[AssetFileQuerySerializer], responses={(200, "image/*"): bytes})
    def get(self, request, asset_id):
        asset = asset_for(request, asset_id)
        query = AssetFileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        key = credentials.credentialed_file(asset).file.name if query.validated_data["credentials"] else asset.file.name
        return file_response(key, mime_type=asset.mime_type, filename=f"{asset.pk}.{asset.file.name.rsplit('.', 1)[-1]}")


class AssetCredentialsApi(APIView):
    @extend_schema(responses=CredentialsSerializer)
    def get(self, request, asset_id):
        """The Content Credentials a credentialed download of the asset carries, as a C2PA reader sees them."""
        return Response(CredentialsSerializer(credentials.credentials_summary(asset_for(request, asset_id))).data)


class AssetThumbnailApi(APIView):
    @extend_schema(responses={(200, "image/webp"): bytes})
    def get(self, request, asset_id):
        thumbnail = selectors.thumbnail_of(asset_for(request, asset_id))
        if thumbnail is None:
            raise Http404("This asset has no thumbnail yet.")
        return file_response(thumbnail.file.name, mime_type=thumbnail.mime_type, filename=f"{asset_id}.thumb.webp")


class AssetLineageApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Lineage",
            {
                "nodes": PolymorphicProxySerializer(
                    component_name="LineageNodeAny",
                    serializers=[LineageNodeSerializer, LineageReferenceNodeSerializer],
                    resource_type_field_name=None,
                    many=True,
                ),
                "edges": LineageEdgeSerializer(many=True),
            },
        )
    )
    def get(self, request, asset_id):
        lineage = selectors.asset_lineage(asset_for(request, asset_id))
        context = {"request": request}
        nodes = LineageNodeSerializer(lineage.assets, many=True, context=context).data
        references = LineageReferenceNodeSerializer(lineage.reference_images, many=True, context=context).data
        return Response({"nodes": [*nodes, *references], "edges": LineageEdgeSerializer(lineage.edges, many=True).data})


class ProjectExportApi(APIView):
    @extend_schema(parameters=[AssetFilterSerializer], responses={(200, "application/zip"): bytes})
    def get(self, request, project_id):
        """A zip of the project's assets (approved by default) with manifest.json: hashes, prompts,
        models, settings, references, parents and review decisions."""
        project = policy.project_for(request.user, project_id)
        filters = AssetFilterSerializer(data={"review_status": "approved", **request.query_params.dict()})
        filters.is_valid(raise_exception=True)
        archive = export_zip(project=project, review_status=filters.validated_data.get("review_status"))
        filename = f"{slugify(project.name) or 'project'}-{filters.validated_data.get('review_status', 'all')}.zip"
        return FileResponse(archive, as_attachment=True, filename=filename, content_type="application/zip")
