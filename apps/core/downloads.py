"""Streamed zip downloads: the first byte leaves at once and memory stays flat, whatever the
number or size of the files. Entries are stored, not deflated (images are compressed already),
and each file is read from storage in 1 MiB pieces only when its turn comes.

Any export builds on this: produce `ZipEntry`s (lazily, e.g. while iterating a queryset, adding
a manifest last) and hand them to `zip_response`.
"""

from __future__ import annotations

import gc
import json
import tempfile
import textwrap
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.http import StreamingHttpResponse
from django.utils.http import content_disposition_header
from zipstream import ZIP_STORED, ZipStream

CHUNK_BYTES = 1024 * 1024
# Entries made from model rows leave reference cycles (a FieldFile and its instance, related-object
# caches) that live while their file streams, so the young collections promote them and only a full
# collection, which CPython runs seldom, frees them: a 1,000-file export of 4K images grew the web
# worker by 7 MiB more than with one every 50 entries. A full collection costs up to 0.1 s in a
# web worker, so it also waits for a GiB streamed (about 2 s): at most about 5 % of the time,
# whatever the file sizes (bench.export_stream: 37.3 s for 1,000 4K files, 35.2 s before).
FULL_COLLECTION_AFTER_ENTRIES, FULL_COLLECTION_AFTER_BYTES = 50, 1024 * CHUNK_BYTES


@dataclass(frozen=True)
class ZipEntry:
    """One file of the archive: a key in the default storage, small bytes made on the spot, or
    `chunks` read as the entry streams (e.g. a `JsonListSpool`). `digest` (a hashlib object), if
    given, is fed a stored file's bytes as they stream, e.g. for a manifest written after the files."""

    arcname: str
    storage_key: str | None = None
    data: bytes | None = None
    digest: Any = None
    chunks: Iterable[bytes] | None = None


def storage_chunks(key: str, digest=None) -> Iterator[bytes]:
    with default_storage.open(key, "rb") as source:
        while chunk := source.read(CHUNK_BYTES):
            if digest is not None:
                digest.update(chunk)
            yield chunk


class JsonListSpool:
    """A JSON document whose last key is a list that grows with the export (a manifest line per
    file), kept in a temporary file as the items come rather than in memory until the end: a 5,000
    file manifest is megabytes of dicts. Written as `json.dumps(..., indent=2)` would write it.
    Use it as a context manager around the yield of its entry, so the file goes when the export
    ends, or stops early."""

    def __init__(self, list_key: str):
        self.list_key = list_key
        self.items = tempfile.TemporaryFile()
        self.count = 0

    def __enter__(self) -> JsonListSpool:
        return self

    def __exit__(self, *exc) -> None:
        self.items.close()

    def append(self, item: dict) -> None:
        text = textwrap.indent(json.dumps(item, cls=DjangoJSONEncoder, indent=2), " " * 4)
        self.items.write(((",\n" if self.count else "\n") + text).encode())
        self.count += 1

    def chunks(self, head: dict) -> Iterator[bytes]:
        """The document: `head`'s keys, then the list."""
        opening = json.dumps(head, cls=DjangoJSONEncoder, indent=2)[:-2] + "," if head else "{"  # without its "\n}"
        yield f"{opening}\n  {json.dumps(self.list_key)}: [".encode()
        self.items.seek(0)
        while chunk := self.items.read(CHUNK_BYTES):
            yield chunk
        yield ("\n  ]\n}" if self.count else "]\n}").encode()


def zip_stream(entries: Iterable[ZipEntry]) -> Iterator[bytes]:
    """The archive's bytes, written as the entries come: one entry is taken, streamed, then the next."""
    archive = ZipStream(compress_type=ZIP_STORED)
    entries_since = bytes_since = 0
    for entry in entries:
        entries_since += 1
        if entries_since >= FULL_COLLECTION_AFTER_ENTRIES and bytes_since >= FULL_COLLECTION_AFTER_BYTES:
            gc.collect()
            entries_since = bytes_since = 0
        if entry.storage_key is not None:
            archive.add(storage_chunks(entry.storage_key, entry.digest), entry.arcname)
        else:
            archive.add(entry.data if entry.chunks is None else entry.chunks, entry.arcname)
        for chunk in archive.all_files():
            bytes_since += len(chunk)
            yield chunk
    yield from archive.finalize()


def zip_response(entries: Iterable[ZipEntry], *, filename: str) -> StreamingHttpResponse:
    """With the store known to be away (its last check, apps/core/observability.py), a 503 now
    rather than an archive that breaks off once streaming has begun."""
    from apps.core.observability import storage_outage_raise

    storage_outage_raise()
    response = StreamingHttpResponse(zip_stream(entries), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Accel-Buffering"] = "no"  # a proxy passes the bytes on as they come
    return response
