"""The reference library. Reference images are immutable: removing one archives it, so jobs that
sent it keep pointing at the exact bytes (and sha256) they sent."""

from __future__ import annotations

import io

from django.db import transaction
from django.utils import timezone

from apps.assets.images import make_thumbnail, sanitize_upload
from apps.assets.files import file_delete, file_write
from apps.core.exceptions import Conflict, ValidationFailed
from apps.core.storage_keys import derived_key, reference_image_key
from apps.gemini.catalogue import LIBRARY_LIMITS
from apps.library.models import LibraryEntry, ReferenceImage


def _ensure_name_free(project, kind: str, name: str, exclude_pk=None) -> None:
    taken = LibraryEntry.objects.filter(project=project, kind=kind, name=name, archived_at__isnull=True)
    if taken.exclude(pk=exclude_pk).exists():
        raise Conflict(f"This project already has a {kind} named {name!r}.", code="name_taken", field="name")


def entry_create(*, project, kind: str, name: str, description: str = "") -> LibraryEntry:
    _ensure_name_free(project, kind, name)
    return LibraryEntry.objects.create(project=project, kind=kind, name=name, description=description)


def entry_update(*, entry: LibraryEntry, **fields) -> LibraryEntry:
    if "name" in fields:
        _ensure_name_free(entry.project, entry.kind, fields["name"], exclude_pk=entry.pk)
    for name, value in fields.items():
        setattr(entry, name, value)
    entry.save(update_fields=list(fields))
    return entry


@transaction.atomic
def entry_archive(*, entry: LibraryEntry) -> None:
    now = timezone.now()
    entry.images.filter(archived_at__isnull=True).update(archived_at=now)
    entry.archived_at = now
    entry.save(update_fields=["archived_at"])


def reference_image_add(*, entry: LibraryEntry, data: bytes) -> ReferenceImage:
    limit = LIBRARY_LIMITS.images_per_entry(entry.kind)
    live = entry.images.filter(archived_at__isnull=True).count()
    if live >= limit:
        raise ValidationFailed(
            f"A {entry.kind} holds at most {limit} reference images and {entry.name!r} has {live}; archive one first.",
            field="image", code="limit_reached", details={"limit": limit, "value": live + 1},
        )
    image = sanitize_upload(data)
    thumbnail = make_thumbnail(io.BytesIO(image.data))
    reference = ReferenceImage(
        entry=entry, mime_type=image.mime_type, width=image.width, height=image.height,
        size_bytes=image.size_bytes, sha256=image.sha256,
    )
    key = reference_image_key(project_id=entry.project_id, entry_id=entry.pk, reference_id=reference.pk, extension=image.extension)
    reference.file = file_write(key, image.data)
    reference.thumbnail = file_write(derived_key(key, "thumb", "webp"), thumbnail.data)
    try:
        reference.save()
    except Exception:
        file_delete(reference.file.name)
        file_delete(reference.thumbnail.name)
        raise
    return reference


# A reference image may come with more than its bytes: the right it is used under. apps.rights (above
# library) registers from RightsConfig.ready() whether a project requires one (`required(project)`)
# and how an image is stored together with it (`add(entry=, data=, user=, given=)`).
_with_rights: dict = {}


def reference_rights_register(*, required, add) -> None:
    _with_rights.update(required=required, add=add)


def reference_rights_required(project) -> bool:
    return bool(_with_rights) and _with_rights["required"](project)


def reference_image_add_given(*, entry: LibraryEntry, data: bytes, user, given: dict) -> ReferenceImage:
    """A reference image from the upload form or the API, with the right its `rights_*` fields give."""
    if _with_rights:
        return _with_rights["add"](entry=entry, data=data, user=user, given=given)
    return reference_image_add(entry=entry, data=data)


def reference_image_archive(*, image: ReferenceImage) -> ReferenceImage:
    if image.archived_at is None:
        image.archived_at = timezone.now()
        image.save(update_fields=["archived_at"])
    return image
