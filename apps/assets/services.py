from __future__ import annotations

from django.db import transaction

from apps.assets import credentials
from apps.assets.files import file_delete, file_write
from apps.assets.images import StoredImage, sanitize_upload
from apps.assets.models import TAG_MAX_CHARS, Asset, AssetLink, AssetTag, Favourite, Origin
from apps.assets.signals import asset_stored
from apps.core.exceptions import ValidationFailed
from apps.core.signals import send_on_commit
from apps.core.storage_keys import upload_key


def asset_create(
    *,
    project,
    key: str,
    image: StoredImage,
    origin: str,
    created_by=None,
    generation=None,
    output_index: int = 0,
    model_version: str = "",
    response_id: str = "",
    model_parts: list[dict] = (),
    parents: list[tuple[Asset, str]] = (),
) -> Asset:
    """Create the asset row and its lineage edges together, for an image already stored under
    `key` (so a row never points at a missing file). Every stored asset, job output or upload,
    comes through here: `asset_stored` is sent once the transaction commits, and per-asset work
    (the thumbnail on the renditions queue, ...) hangs off that signal, off the caller's path."""
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
        AssetLink.objects.bulk_create(
            [AssetLink(child=asset, parent=parent, relation=relation) for parent, relation in parents]
        )
        send_on_commit(asset_stored, Asset, asset=asset)
    return asset


def asset_upload(*, project, user, data: bytes) -> Asset:
    """An outside image becomes an asset (origin `upload`) so it can be edited, translated, composed."""
    image = sanitize_upload(data)
    incoming = credentials.incoming_archive(data, image.mime_type)  # re-encoding drops them: keep them first
    key = upload_key(project_id=project.id, extension=image.extension)
    file_write(key, image.data)
    try:
        with transaction.atomic():
            asset = asset_create(project=project, key=key, image=image, origin=Origin.UPLOAD, created_by=user)
            if incoming:
                credentials.incoming_keep(asset=asset, archive=incoming)
        return asset
    except Exception:
        file_delete(key)
        raise


MAX_TAGS_PER_ASSET = 20


def tag_names_parse(text: str) -> list[str]:
    """Comma-separated tags as a person types them, cleaned: trimmed, lower-case, no repeats.
    Refuses (naming field, limit and value) a tag longer than the limit."""
    names = []
    for raw in text.split(","):
        name = " ".join(raw.split()).lower()
        if not name or name in names:
            continue
        if len(name) > TAG_MAX_CHARS:
            raise ValidationFailed(
                f"Tags are at most {TAG_MAX_CHARS} characters; {name[:20]!r}… has {len(name)}.",
                field="tags", details={"limit": TAG_MAX_CHARS, "value": len(name)},
            )
        names.append(name)
    return names


@transaction.atomic
def asset_tags_add(*, assets: list[Asset], names: list[str]) -> int:
    """Add tags to each asset (already there: kept once). Returns how many tags were added."""
    existing = set(AssetTag.objects.filter(asset__in=assets).values_list("asset_id", "name"))
    counts = {}
    for asset_id, _ in existing:
        counts[asset_id] = counts.get(asset_id, 0) + 1
    new = []
    for asset in assets:
        for name in names:
            if (asset.pk, name) not in existing:
                new.append(AssetTag(asset=asset, name=name, project_id=asset.project_id))
                counts[asset.pk] = counts.get(asset.pk, 0) + 1
        if counts.get(asset.pk, 0) > MAX_TAGS_PER_ASSET:
            raise ValidationFailed(
                f"An asset holds at most {MAX_TAGS_PER_ASSET} tags; this would make {counts[asset.pk]}.",
                field="tags", details={"limit": MAX_TAGS_PER_ASSET, "value": counts[asset.pk]},
            )
    AssetTag.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def asset_details_update(*, asset: Asset, title: str, tags: list[str]) -> Asset:
    """Set an asset's title and replace its tags."""
    asset.title = " ".join(title.split())
    asset.save(update_fields=["title"])
    AssetTag.objects.filter(asset=asset).exclude(name__in=tags).delete()
    asset_tags_add(assets=[asset], names=tags)
    return asset


def favourite_set(*, user, asset: Asset, on: bool) -> bool:
    """Star or unstar an asset for one person; returns whether it is now a favourite."""
    if on:
        Favourite.objects.get_or_create(user=user, asset=asset)
    else:
        Favourite.objects.filter(user=user, asset=asset).delete()
    return on


# Placement files (apps.placements) are remade around a new focal point; an approved asset's ahead
# of need, on the renditions queue, by the task's name (assets never imports placements).
RENDER_PLACEMENTS_TASK = "assets.render_placements"


def asset_focal_point_set(*, asset: Asset, point: dict | None) -> Asset:
    """A person's focal point ({"x", "y"} from 0 at the left/top to 1), kept in frame by every
    placement crop; None goes back to the point found in the pixels."""
    from apps.assets.models import ReviewStatus
    from apps.core.tasks import send_on_commit as task_on_commit

    if point is not None:
        if not isinstance(point, dict) or set(point) != {"x", "y"}:
            raise ValidationFailed('focal_point must be {"x": 0..1, "y": 0..1} or null.', field="focal_point", code="invalid")
        for axis in ("x", "y"):
            value = point[axis]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ValidationFailed(
                    f"focal_point.{axis} is {value!r}; it must be a number from 0 (left/top) to 1 (right/bottom).",
                    field=f"focal_point.{axis}", code="out_of_range", details={"value": value, "min": 0, "max": 1},
                )
        point = {"x": round(float(point["x"]), 4), "y": round(float(point["y"]), 4)}
    Asset.objects.filter(pk=asset.pk).update(focal_point=point)
    asset.focal_point = point
    from django.conf import settings

    if asset.review_status == ReviewStatus.APPROVED and settings.PLACEMENTS_RENDER_AHEAD:
        task_on_commit(RENDER_PLACEMENTS_TASK, [str(asset.pk)], queue="renditions")
    return asset
