from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema, inline_serializer
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets import credentials, credentials_reading, selectors, services
from apps.assets.api.serializers import (
    AssetChangeSerializer,
    AssetFileQuerySerializer,
    AssetFilterSerializer,
    AssetOutputSerializer,
    AssetUploadSerializer,
    CredentialsSerializer,
    LineageEdgeSerializer,
    LineageFileNodeSerializer,
    LineageNodeSerializer,
    LineageReferenceNodeSerializer,
)
from apps.assets.files import file_response
from apps.assets.images import MIME_BY_FORMAT, upload_read
from apps.assets.models import Asset
from apps.assets.renditions import display_get_or_make, thumbnail_get_or_make
from apps.assets.uses import use_check
from apps.core.pagination import NewestFirstCursorPagination, paginated_response
from apps.core.schema import binary_responses
from apps.projects import policy
from apps.projects.policy import Action


def asset_for(request, asset_id, action=Action.VIEW) -> Asset:
    return policy.object_for(request.user, selectors.asset_queryset(), asset_id, action)


class AssetListApi(APIView):
    pagination_class = NewestFirstCursorPagination
    parser_classes = [MultiPartParser]  # uploads only; JSON bodies elsewhere

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
        asset = services.asset_upload(project=project, user=request.user, data=upload_read(data.validated_data["image"]))
        asset = selectors.asset_queryset().get(pk=asset.pk)
        return Response(AssetOutputSerializer(asset, context={"request": request}).data, status=status.HTTP_201_CREATED)


class AssetDetailApi(APIView):
    @extend_schema(responses=AssetOutputSerializer)
    def get(self, request, asset_id):
        return Response(AssetOutputSerializer(asset_for(request, asset_id), context={"request": request}).data)

    @extend_schema(request=AssetChangeSerializer, responses=AssetOutputSerializer)
    def patch(self, request, asset_id):
        """Set the focal point (editors): placement files are remade around it."""
        asset = asset_for(request, asset_id, Action.GENERATE)
        data = AssetChangeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.asset_focal_point_set(asset=asset, point=data.validated_data["focal_point"])
        return Response(AssetOutputSerializer(asset_for(request, asset_id), context={"request": request}).data)


class AssetFileApi(APIView):
    @extend_schema(
        parameters=[AssetFileQuerySerializer],
        responses=binary_responses(*MIME_BY_FORMAT.values(), description="The asset's image bytes."),
    )
    def get(self, request, asset_id):
        asset = asset_for(request, asset_id)
        query = AssetFileQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        use_check(asset, use="download")  # 409 rights_expired when the rights it inherits have ended
        key = credentials.credentialed_file(asset, user=request.user).file.name if query.validated_data["credentials"] else asset.file.name
        return file_response(key, mime_type=asset.mime_type, filename=f"{asset.pk}.{asset.file.name.rsplit('.', 1)[-1]}")


class AssetCredentialsApi(APIView):
    @extend_schema(responses=CredentialsSerializer)
    def get(self, request, asset_id):
        """The Content Credentials a credentialed download of the asset carries, as a C2PA reader sees them."""
        return Response(CredentialsSerializer(credentials_reading.credentials_summary(asset_for(request, asset_id), user=request.user)).data)


class AssetThumbnailApi(APIView):
    @extend_schema(responses=binary_responses("image/webp", description="A WebP thumbnail."))
    def get(self, request, asset_id):
        """Made on the first request when the renditions queue has not made it yet."""
        thumbnail = thumbnail_get_or_make(asset_for(request, asset_id))
        return file_response(thumbnail.file.name, mime_type=thumbnail.mime_type, filename=f"{asset_id}.thumb.webp")


class AssetDisplayApi(APIView):
    @extend_schema(responses=binary_responses("image/webp", description="The image at web size: a WebP at most DISPLAY_MAX_SIDE (1600) px on its long edge."))
    def get(self, request, asset_id):
        """What the pages show; `file/` is the stored original (for full size and downloads).
        Made on the first request, then kept."""
        asset = asset_for(request, asset_id)
        use_check(asset, use="download")  # a web-size copy is still the picture: refused like the file once rights end
        display = display_get_or_make(asset)
        return file_response(display.file.name, mime_type=display.mime_type, filename=f"{asset_id}.display.webp")


class AssetLineageApi(APIView):
    @extend_schema(
        responses=inline_serializer(
            "Lineage",
            {
                "nodes": PolymorphicProxySerializer(
                    component_name="LineageNodeAny",
                    serializers=[LineageNodeSerializer, LineageReferenceNodeSerializer, LineageFileNodeSerializer],
                    resource_type_field_name=None,
                    many=True,
                ),
                "edges": LineageEdgeSerializer(many=True),
            },
        )
    )
    def get(self, request, asset_id):
        """The asset, its ancestors and descendants at any depth, the reference images their jobs
        sent, and the files cut from it and its descendants (`type` "placement", an edge
        `placement_of` to the asset), with the edges among them."""
        lineage = selectors.asset_lineage(asset_for(request, asset_id))
        context = {"request": request}
        nodes = LineageNodeSerializer(lineage.assets, many=True, context=context).data
        references = LineageReferenceNodeSerializer(lineage.reference_images, many=True, context=context).data
        files = LineageFileNodeSerializer(lineage.files, many=True, context=context).data
        return Response({"nodes": [*nodes, *references, *files], "edges": LineageEdgeSerializer(lineage.edges, many=True).data})
