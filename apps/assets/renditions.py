"""Derived files of an asset, made once per spec by whoever needs one first: the thumbnail and the
display size here, the Content Credentials copies in credentials.py. A job is done when its image is stored; its
thumbnail follows on the `renditions` queue, or on the first request that finds none.

Racing makers may both do the work, but the database keeps one row per (asset, spec) and the
loser deletes its file. Each attempt writes under a fresh key, so a file being served is never
overwritten."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.files.storage import default_storage
from rest_framework import status

from apps.assets.files import file_delete, file_write
from apps.assets.images import make_thumbnail
from apps.assets.models import Asset, Rendition
from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.core.outages import Outage, ride_out
from apps.core.storage_keys import derived_key
from apps.core.tasks import send

logger = logging.getLogger(__name__)


class RenditionUnavailable(ApplicationError):
    """The stored image could not be read or shrunk now; asking again later may succeed."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


def thumbnail_spec() -> str:
    """Names the size, so a changed THUMBNAIL_MAX_SIDE makes new thumbnails instead of serving old ones."""
    return f"thumb-{settings.THUMBNAIL_MAX_SIDE}"


def rendition_key(asset: Asset, spec: str, extension: str) -> str:
    """Next to the asset's file, under a fresh name: a file being served is never overwritten."""
    return derived_key(asset.file.name, spec, extension, unique=True)


def rendition_save(asset: Asset, spec: str, key: str, **fields) -> tuple[Rendition, bool]:
    """The row for a file just written under `key`; when another maker stored this spec first,
    theirs is kept and ours deleted."""
    try:
        rendition, created = Rendition.objects.get_or_create(asset=asset, spec=spec, defaults={"file": key, **fields})
    except Exception:
        file_delete(key)  # no row points at it
        raise
    if not created:
        file_delete(key)
    return rendition, created


def display_spec() -> str:
    """The size the pages show an image at (asset page, review queue, lightbox): a 4K PNG of 10 MB
    becomes a WebP of a few hundred kB that still fills a large screen. Named by its size."""
    return f"display-{settings.DISPLAY_MAX_SIDE}"


def _webp_get_or_make(asset: Asset, spec: str, max_side: int, what: str) -> Rendition:
    existing = Rendition.objects.filter(asset=asset, spec=spec).first()
    if existing is not None:
        return existing
    try:
        with default_storage.open(asset.file.name, "rb") as source:
            made = make_thumbnail(source, max_side)
    except (OSError, ValidationFailed) as exc:
        raise RenditionUnavailable(f"The {what} could not be made: {exc}", code=f"{what.replace(' ', '_')}_unavailable") from exc
    key = file_write(rendition_key(asset, spec, "webp"), made.data)
    rendition, _ = rendition_save(
        asset, spec, key, mime_type=made.mime_type, width=made.width, height=made.height, size_bytes=made.size_bytes,
    )
    return rendition


def thumbnail_get_or_make(asset: Asset) -> Rendition:
    """The asset's thumbnail, made now from the stored image if it has none yet."""
    return _webp_get_or_make(asset, thumbnail_spec(), settings.THUMBNAIL_MAX_SIDE, "thumbnail")


def display_get_or_make(asset: Asset) -> Rendition:
    """The asset at web size (DISPLAY_MAX_SIDE on its long edge, never enlarged), made on the first
    request for it and kept like the thumbnail."""
    return _webp_get_or_make(asset, display_spec(), settings.DISPLAY_MAX_SIDE, "display image")


def thumbnail_make_queued(asset_id) -> None:
    """The queue's turn: nothing to do if a request was faster, or the asset is gone."""
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        return
    try:  # the store away for a moment (a bucket answering 503): tried again until it is back
        ride_out(lambda: thumbnail_get_or_make(asset), what=f"thumbnail of asset {asset_id}", kind=Outage.STORAGE)
    except Exception:  # the first request for it will try again and answer why
        logger.exception("thumbnail of asset %s could not be made", asset_id)


def thumbnail_queue(sender, asset: Asset, **kwargs) -> None:
    """`asset_stored` receiver: the thumbnail is made on the `renditions` queue, off the path of
    whoever stored the asset."""
    send("assets.make_thumbnail", [str(asset.pk)])
