from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.files import file_response
from apps.assets.images import MIME_BY_FORMAT, upload_read
from apps.core.schema import binary_responses
from apps.library import selectors, services
from apps.library.api.serializers import (
    EntryInputSerializer,
    EntryOutputSerializer,
    ReferenceImageOutputSerializer,
    ReferenceImageUploadSerializer,
)
from apps.library.models import ReferenceImage
from apps.projects import policy
from apps.projects.policy import Action


def entry_for(request, kind, entry_id, action=Action.VIEW):
    return policy.object_for(request.user, selectors.entry_queryset().filter(kind=kind), entry_id, action)


def reference_image_for(request, image_id):
    return policy.object_for(request.user, ReferenceImage.objects.all(), image_id, project_path="entry__project")


class EntryListApi(APIView):
    """Characters or objects of a project; `kind` comes from the URL."""

    kind = None

    @extend_schema(responses=EntryOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        entries = selectors.entry_list(project=project, kind=self.kind)
        return Response(EntryOutputSerializer(entries, many=True, context={"request": request}).data)

    @extend_schema(request=EntryInputSerializer, responses={201: EntryOutputSerializer})
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_LIBRARY)
        data = EntryInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        entry = services.entry_create(project=project, kind=self.kind, **data.validated_data)
        return Response(EntryOutputSerializer(entry, context={"request": request}).data, status=status.HTTP_201_CREATED)


class EntryDetailApi(APIView):
    kind = None

    @extend_schema(responses=EntryOutputSerializer)
    def get(self, request, entry_id):
        return Response(EntryOutputSerializer(entry_for(request, self.kind, entry_id), context={"request": request}).data)

    @extend_schema(request=EntryInputSerializer, responses=EntryOutputSerializer)
    def patch(self, request, entry_id):
        entry = entry_for(request, self.kind, entry_id, Action.MANAGE_LIBRARY)
        data = EntryInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        entry = services.entry_update(entry=entry, **data.validated_data)
        return Response(EntryOutputSerializer(entry, context={"request": request}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, entry_id):
        """Archives the entry and its images; jobs that used them keep their exact references."""
        services.entry_archive(entry=entry_for(request, self.kind, entry_id, Action.MANAGE_LIBRARY))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReferenceImageListApi(APIView):
    kind = None
    parser_classes = [MultiPartParser]  # uploads only; JSON bodies elsewhere

    @extend_schema(responses=ReferenceImageOutputSerializer(many=True))
    def get(self, request, entry_id):
        entry = entry_for(request, self.kind, entry_id)
        return Response(ReferenceImageOutputSerializer(entry.live_images, many=True, context={"request": request}).data)

    @extend_schema(request=ReferenceImageUploadSerializer, responses={201: ReferenceImageOutputSerializer})
    def post(self, request, entry_id):
        entry = entry_for(request, self.kind, entry_id, Action.MANAGE_LIBRARY)
        data = ReferenceImageUploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        given = {name: value for name, value in data.validated_data.items() if name.startswith("rights_")}
        image = services.reference_image_add_given(entry=entry, data=upload_read(data.validated_data["image"]), user=request.user, given=given)
        return Response(ReferenceImageOutputSerializer(image, context={"request": request}).data, status=status.HTTP_201_CREATED)


class ReferenceImageDetailApi(APIView):
    kind = None

    @extend_schema(responses={204: None})
    def delete(self, request, entry_id, image_id):
        """Archives the image: it leaves the library but stays in the lineage of what used it."""
        entry = entry_for(request, self.kind, entry_id, Action.MANAGE_LIBRARY)
        image = entry.images.filter(pk=image_id).first()
        if image is None:
            raise Http404("No such reference image.")
        services.reference_image_archive(image=image)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ReferenceImageFileApi(APIView):
    @extend_schema(responses=binary_responses(*MIME_BY_FORMAT.values(), description="The reference image's bytes."))
    def get(self, request, image_id):
        image = reference_image_for(request, image_id)
        return file_response(image.file.name, mime_type=image.mime_type, filename=image.file.name.rsplit("/", 1)[-1])


class ReferenceImageThumbnailApi(APIView):
    @extend_schema(responses=binary_responses("image/webp", description="A WebP thumbnail."))
    def get(self, request, image_id):
        image = reference_image_for(request, image_id)
        return file_response(image.thumbnail.name, mime_type="image/webp", filename=image.thumbnail.name.rsplit("/", 1)[-1])
