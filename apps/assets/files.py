"""Writing and serving private files. Nothing here assumes a local path: only storage keys."""

from __future__ import annotations

from typing import IO

from django.conf import settings
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponseRedirect

from apps.core.observability import storage_outage_raise


def file_write(key: str, data: bytes | IO[bytes]) -> str:
    """Write bytes (or an open file, rewound) under a deterministic key, replacing what a failed
    earlier attempt left there."""
    saved = default_storage.save(key, ContentFile(data) if isinstance(data, bytes) else File(data))
    if saved != key:  # a backend that renames instead of overwriting would break idempotency
        raise RuntimeError(f"Storage stored {key!r} as {saved!r}; configure it to overwrite.")
    return key


def file_delete(key: str) -> None:
    if key and default_storage.exists(key):
        default_storage.delete(key)


def file_response(key: str, *, mime_type: str, filename: str):
    """Only ever called after the caller's membership was checked. With the store away, a 503
    (apps/core/outages.py): the file is opened here, or, for a signed URL, the store's last check
    (readiness, cached per process) says it is away."""
    if settings.FILES_SERVED_BY_SIGNED_URL:
        storage_outage_raise()
        response = HttpResponseRedirect(default_storage.url(key))
        # The redirect must not outlive the signed URL it points at.
        response["Cache-Control"] = f"private, max-age={max(0, settings.SIGNED_URL_SECONDS // 2)}"
    else:
        response = FileResponse(default_storage.open(key, "rb"), content_type=mime_type)
        response["Content-Disposition"] = f'inline; filename="{filename}"'
        response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response
