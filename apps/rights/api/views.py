from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.files import file_response
from apps.assets.images import upload_read
from apps.assets.selectors import asset_queryset
from apps.core.exceptions import NotFound
from apps.core.schema import binary_responses
from apps.library.models import ReferenceImage
from apps.projects import policy
from apps.projects.policy import Action
from apps.rights import selectors, services
from apps.rights.api.serializers import (
    EffectiveRightsSerializer,
    ExpiringAssetSerializer,
    ExpiringQuerySerializer,
    OverrideInputSerializer,
    PolicySerializer,
    RightInputSerializer,
    RightOutputSerializer,
)
from apps.rights.models import Right


def _input(request, *, current=None) -> tuple[dict, bytes | None, str]:
    data = RightInputSerializer(data=request.data)
    data.is_valid(raise_exception=True)
    values = dict(data.validated_data)
    upload = values.pop("document", None)
    fields = services.right_fields_clean(values, current=current)
    return fields, (upload_read(upload, field="document") if upload is not None else None), (upload.name if upload is not None else "")


def _rights_response(request, asset) -> Response:
    row = services.effective_rights_of(asset)
    asset.effective_rights = row
    return Response(EffectiveRightsSerializer({
        "asset": asset.pk, "state": selectors.state(row), "sentence": selectors.sentence(row), "rights": selectors.summary(asset),
        "own": selectors.rights_list(asset=asset),
    }, context={"request": request}).data)


def _created(request, right) -> Response:
    return Response(RightOutputSerializer(right, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ReferenceImageRightsApi(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses=RightOutputSerializer(many=True))
    def get(self, request, image_id):
        image = policy.object_for(request.user, ReferenceImage.objects.all(), image_id, project_path="entry__project")
        return Response(RightOutputSerializer(selectors.rights_list(reference_image=image), many=True, context={"request": request}).data)

    @extend_schema(request=RightInputSerializer, responses={201: RightOutputSerializer})
    def post(self, request, image_id):
        """Record a right (a release, a licence) on a reference image: every asset made with it inherits it."""
        image = policy.object_for(request.user, ReferenceImage.objects.select_related("entry"), image_id, Action.MANAGE_LIBRARY, project_path="entry__project")
        fields, document, name = _input(request)
        return _created(request, services.right_create(project=image.entry.project, user=request.user, fields=fields, reference_image=image,
                                                       document=document, document_name=name))


class AssetRightsApi(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses=EffectiveRightsSerializer)
    def get(self, request, asset_id):
        """The rights the asset inherits through its lineage, and those recorded on it (an upload)."""
        return _rights_response(request, policy.object_for(request.user, asset_queryset(), asset_id))

    @extend_schema(request=RightInputSerializer, responses={201: RightOutputSerializer})
    def post(self, request, asset_id):
        """Record a right on an uploaded asset (a generated one inherits its rights instead)."""
        asset = policy.object_for(request.user, asset_queryset(), asset_id, Action.MANAGE_LIBRARY)
        services.source_check(asset=asset)
        fields, document, name = _input(request)
        return _created(request, services.right_create(project=asset.project, user=request.user, fields=fields, asset=asset,
                                                       document=document, document_name=name))


def right_for(request, right_id, action=Action.VIEW) -> Right:
    return policy.object_for(request.user, Right.objects.select_related("reference_image__entry", "asset"), right_id, action)


class RightDetailApi(APIView):
    parser_classes = [JSONParser, MultiPartParser]

    @extend_schema(responses=RightOutputSerializer)
    def get(self, request, right_id):
        return Response(RightOutputSerializer(right_for(request, right_id), context={"request": request}).data)

    @extend_schema(request=RightInputSerializer, responses=RightOutputSerializer)
    def patch(self, request, right_id):
        """Change a right; every asset descending from its reference image or upload is recomputed (on the queue)."""
        right = right_for(request, right_id, Action.MANAGE_LIBRARY)
        fields, document, name = _input(request, current=right)
        right = services.right_update(right=right, user=request.user, fields=fields, document=document, document_name=name)
        return Response(RightOutputSerializer(right, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, right_id):
        services.right_delete(right=right_for(request, right_id, Action.MANAGE_LIBRARY), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class RightDocumentApi(APIView):
    @extend_schema(responses=binary_responses("application/pdf", "image/png", "image/jpeg", "image/webp", description="The attached document."))
    def get(self, request, right_id):
        """The signed release or licence; owners and editors only (it names people)."""
        right = right_for(request, right_id, Action.MANAGE_LIBRARY)
        if not right.document:
            raise NotFound("This right has no document attached.", code="not_found")
        return file_response(right.document.name, mime_type=services.document_mime_type(right), filename=right.document_name or "document")


class OverrideApi(APIView):
    @extend_schema(request=OverrideInputSerializer, responses=EffectiveRightsSerializer)
    def post(self, request, asset_id):
        """Owners: let an asset whose rights ended be used until `until`, for a stated reason (audited,
        shown on the asset, carried in its Content Credentials)."""
        asset = policy.object_for(request.user, asset_queryset(), asset_id, Action.MANAGE_PROJECT)
        data = OverrideInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.override_set(asset=asset, user=request.user, **data.validated_data)
        return _rights_response(request, asset)

    @extend_schema(request=None, responses=EffectiveRightsSerializer)
    def delete(self, request, asset_id):
        asset = policy.object_for(request.user, asset_queryset(), asset_id, Action.MANAGE_PROJECT)
        services.override_clear(asset=asset, user=request.user)
        return _rights_response(request, asset)


class ExpiringApi(APIView):
    @extend_schema(parameters=[ExpiringQuerySerializer], responses=ExpiringAssetSerializer(many=True))
    def get(self, request, project_id):
        """Assets whose rights window ends within `days` days (default 30) or has ended, soonest first."""
        project = policy.project_for(request.user, project_id)
        query = ExpiringQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        assets: QuerySet = selectors.expiring(project=project, days=query.validated_data["days"])[:500]
        return Response(ExpiringAssetSerializer(assets, many=True).data)


class PolicyApi(APIView):
    @extend_schema(responses=PolicySerializer)
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        return Response(PolicySerializer(services.policy_for(project)).data)

    @extend_schema(request=PolicySerializer, responses=PolicySerializer)
    def patch(self, request, project_id):
        """Owners: require rights on every new reference image (audited)."""
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        data = PolicySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(PolicySerializer(services.policy_update(project=project, user=request.user, **data.validated_data)).data)
