from __future__ import annotations

import uuid

from django.db import transaction

from apps.assets import credentials
from apps.assets.files import file_delete, file_write
from apps.assets.images import THUMBNAIL_SPEC, StoredImage, make_thumbnail, sanitize_upload
from apps.assets.models import Asset, AssetLink, Origin, Rendition


def generation_output_key(generation, index: int, extension: str) -> str:
    """Deterministic per job and output: a retry overwrites instead of adding a file."""
    return f"projects/{generation.project_id}/generations/{generation.id}/{index}.{extension}"


def _thumbnail_key(key: str) -> str:
    return key.rsplit(".", 1)[0] + ".thumb.webp"


def asset_files_write(*, key: str, image: StoredImage) -> StoredImage:
    """Write an image and its thumbnail; returns the thumbnail. Rows are created separately,
    after the bytes are safely stored, so a row never points at a missing file."""
    thumbnail = make_thumbnail(image.data)
    file_write(key, image.data)
    file_write(_thumbnail_key(key), thumbnail.data)
    return thumbnail


def asset_files_delete(*, key: str) -> None:
    file_delete(key)
    file_delete(_thumbnail_key(key))


def asset_create(
    *,
    project,
    key: str,
    image: StoredImage,
    thumbnail: StoredImage,
    origin: str,
    created_by=None,
    generation=None,
    output_index: int = 0,
    model_version: str = "",
    response_id: str = "",
    model_parts: list[dict] = (),
    parents: list[tuple[Asset, str]] = (),
) -> Asset:
    """Create the asset row, its thumbnail rendition and its lineage edges together."""
    with transaction.atomic():
        asset = Asset.objects.create(
            project=project,
            generation=generation,
            output_index=output_index,
            origin=origin,
            file=key,
            mime_type=image.mime_type,
            width=image.width,
            height=image.height,
            size_bytes=image.size_bytes,
            sha256=image.sha256,
            model_version=model_version,
            response_id=response_id,
            model_parts=list(model_parts),
            created_by=created_by,
        )
        Rendition.objects.create(
            asset=asset,
            spec=THUMBNAIL_SPEC,
            file=_thumbnail_key(key),
            mime_type=thumbnail.mime_type,
            width=thumbnail.width,
            height=thumbnail.height,
            size_bytes=thumbnail.size_bytes,
        )
        AssetLink.objects.bulk_create(
            [AssetLink(child=asset, parent=parent, relation=relation) for parent, relation in parents]
        )
    return asset


def asset_upload(*, project, user, data: bytes) -> Asset:
    """An outside image becomes an asset (origin `upload`) so it can be edited, translated, composed."""
    image = sanitize_upload(data)
    incoming = credentials.incoming_archive(data, image.mime_type)  # re-encoding drops them: keep them first
    key = f"projects/{project.id}/uploads/{uuid.uuid4()}.{image.extension}"
    thumbnail = asset_files_write(key=key, image=image)
    try:
        with transaction.atomic():
            asset = asset_create(project=project, key=key, image=image, thumbnail=thumbnail, origin=Origin.UPLOAD, created_by=user)
            if incoming:
                credentials.incoming_keep(asset=asset, archive=incoming)
        return asset
    except Exception:
        asset_files_delete(key=key)
        raise
