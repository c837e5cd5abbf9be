"""Streamed zip downloads: the first byte leaves at once and memory stays flat, whatever the
number or size of the files. Entries are stored, not deflated (images are compressed already),
and each file is read from storage in 1 MiB pieces only when its turn comes.

Any export builds on this: produce `ZipEntry`s (lazily, e.g. while iterating a queryset, adding
a manifest last) and hand them to `zip_response`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from zipstream import ZIP_STORED, ZipStream

CHUNK_BYTES = 1024 * 1024


@dataclass(frozen=True)
class ZipEntry:
    """One file of the archive: a key in the default storage, or small bytes made on the spot.
    `digest` (a hashlib object), if given, is fed the file's bytes as they stream, e.g. for a
    manifest written after the files."""

    arcname: str
    storage_key: str | None = None
    data: bytes | None = None
    digest: Any = None


def storage_chunks(key: str, digest=None) -> Iterator[bytes]:
    with default_storage.open(key, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            if digest is not None:
                digest.update(chunk)
            yield chunk


def zip_stream(entries: Iterable[ZipEntry]) -> Iterator[bytes]:
    """The archive's bytes, written as the entries come: one entry is taken, streamed, then the next."""
    archive = ZipStream(compress_type=ZIP_STORED)
    for entry in entries:
        archive.add(entry.data if entry.storage_key is None else storage_chunks(entry.storage_key, entry.digest), entry.arcname)
        yield from archive.all_files()
    yield from archive.finalize()


def zip_response(entries: Iterable[ZipEntry], *, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy passes the bytes on as they come
    return response
