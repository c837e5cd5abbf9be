from rest_framework import serializers

from apps.core.serializers import StrictInputSerializer, absolute_url
from apps.gemini.catalogue import LIBRARY_LIMITS
from apps.library.models import DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS, LibraryEntry, ReferenceImage


class EntryInputSerializer(StrictInputSerializer):
    name = serializers.CharField(max_length=NAME_MAX_CHARS)
    description = serializers.CharField(max_length=DESCRIPTION_MAX_CHARS, required=False, allow_blank=True, default="")


class ReferenceImageOutputSerializer(serializers.ModelSerializer):
    file_url = serializers.SerializerMethodField()
    thumbnail_url = serializers.SerializerMethodField()

    class Meta:
        model = ReferenceImage
        fields = ["id", "entry", "mime_type", "width", "height", "size_bytes", "sha256", "file_url", "thumbnail_url", "created_at", "archived_at"]

    def get_file_url(self, image) -> str:
        return absolute_url(self.context, "reference-image-file", image.pk)

    def get_thumbnail_url(self, image) -> str:
        return absolute_url(self.context, "reference-image-thumbnail", image.pk)


class EntryOutputSerializer(serializers.ModelSerializer):
    images = serializers.SerializerMethodField()
    image_limit = serializers.SerializerMethodField()

    class Meta:
        model = LibraryEntry
        fields = ["id", "project", "kind", "name", "description", "images", "image_limit", "created_at", "archived_at"]

    def get_images(self, entry) -> list[dict]:
        images = getattr(entry, "live_images", None)
        if images is None:
            images = entry.images.filter(archived_at__isnull=True).order_by("created_at")
        return ReferenceImageOutputSerializer(images, many=True, context=self.context).data

    def get_image_limit(self, entry) -> int:
        return LIBRARY_LIMITS.images_per_entry(entry.kind)


class ReferenceImageUploadSerializer(serializers.Serializer):
    image = serializers.FileField(help_text="PNG, JPEG or WebP; the content decides the type, not the name.")
    # The right that comes with the image (apps.rights): required when the project's rights policy says so.
    rights_holder = serializers.CharField(required=False, allow_blank=True, help_text="Who grants the right (the person released, the agency).")
    rights_kind = serializers.CharField(required=False, allow_blank=True, help_text="owned, licensed, talent_release, stock or other.")
    rights_territories = serializers.CharField(required=False, allow_blank=True, help_text='ISO 3166 codes "DE, AT"; empty: worldwide.')
    rights_channels = serializers.CharField(required=False, allow_blank=True, help_text='Placement channels "instagram, web"; empty: all.')
    rights_starts_on = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD.")
    rights_ends_on = serializers.CharField(required=False, allow_blank=True, help_text="YYYY-MM-DD; empty: does not end.")
    rights_licence = serializers.CharField(required=False, allow_blank=True)
    rights_notes = serializers.CharField(required=False, allow_blank=True)
