"""Thumbnails' spec now names their size ("thumb-384"), so changing THUMBNAIL_MAX_SIDE makes new ones."""

from django.conf import settings
from django.db import migrations


def name_the_size(apps, schema_editor):
    apps.get_model("assets", "Rendition").objects.filter(spec="thumb").update(spec=f"thumb-{settings.THUMBNAIL_MAX_SIDE}")


def unname_the_size(apps, schema_editor):
    apps.get_model("assets", "Rendition").objects.filter(spec=f"thumb-{settings.THUMBNAIL_MAX_SIDE}").update(spec="thumb")


class Migration(migrations.Migration):
    dependencies = [("assets", "0004_asset_title_tags_favourites")]
    operations = [migrations.RunPython(name_the_size, unname_the_size)]
