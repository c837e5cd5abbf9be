from django.apps import AppConfig


class AssetsConfig(AppConfig):
    name = "apps.assets"

    def ready(self):
        """Pillow refuses to decode past the upload pixel limit anywhere in the process, not only
        where sanitize_upload checks it first."""
        from django.conf import settings
        from PIL import Image

        Image.MAX_IMAGE_PIXELS = settings.UPLOAD_MAX_PIXELS

        from apps.assets.renditions import thumbnail_queue
        from apps.assets.signals import asset_stored

        asset_stored.connect(thumbnail_queue, dispatch_uid="assets.thumbnail_queue")
