"""A zip of a project's assets with a manifest.json a DAM or CMS can ingest with provenance."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator

from django.utils import timezone

from apps.assets import provenance, signing
from apps.assets.credentials import CredentialsUnavailable, credentialed_file, credentials_manifest_fields
from apps.assets.models import Asset
from apps.assets.selectors import asset_list
from apps.assets.uses import left_out_entry, use_refusals
from apps.core.downloads import JsonListSpool, ZipEntry

MAX_EXPORT_ASSETS = 5000
EXPORT_CHUNK_ROWS = 50  # rows with their prefetched relations: about 36 KiB each in memory


def signing_ready() -> None:
    """Call before an export's response starts: every file in it carries signed Content
    Credentials, so with nothing to sign with it is a 503 the operator can act on, not a zip cut
    off after its first entry."""
    reason = signing.unavailable_reason()
    if reason:
        raise CredentialsUnavailable(f"Exports are unavailable: their files carry signed Content Credentials. {reason}", code="credentials_unavailable")


def credentialed_zip_entry(asset: Asset, name: str) -> tuple[ZipEntry, Callable[[], dict]]:
    """The asset's Content Credentials copy as a zip entry, and its manifest line, which can be
    read once the zip has streamed the file (the digest of the bytes sent is complete by then)."""
    credentialed = credentialed_file(asset, wait=True)  # the zip is streaming: wait out another signing, never 503 now
    digest = hashlib.sha256()
    entry = ZipEntry(name, storage_key=credentialed.file.name, digest=digest)
    return entry, lambda: {**_manifest_entry(asset, name), **credentials_manifest_fields(credentialed, digest.hexdigest())}


def _manifest_entry(asset: Asset, name: str) -> dict:
    """The file's line in manifest.json: where it is in the zip and its provenance as the team
    knows it (everything: the export is the team's own record, not a delivered file)."""
    return {
        "file": name, "size_bytes": asset.size_bytes, "mime_type": asset.mime_type, "width": asset.width, "height": asset.height,
        **provenance.describe(asset, disclosure=provenance.TEAM),
    }


def deliverable(assets: list[Asset], *, territory: str | None = None, channel: str | None = None) -> tuple[list[Asset], list[dict]]:
    """The assets an export or a selection zip may carry, and manifest lines (`left_out`) for those
    whose rights do not allow it (ended, not started, or not for that territory or channel)."""
    refusals = use_refusals(assets, territory=territory, channel=channel)
    return [asset for asset in assets if asset.pk not in refusals], [left_out_entry(asset, refusals[asset.pk]) for asset in assets if asset.pk in refusals]


def _chunked(rows, size: int):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def export_entries(*, project, filters: dict, territory: str | None = None, channel: str | None = None) -> Iterator[ZipEntry]:
    """The project's assets matching `filters` (those of the asset list), oldest first, each as its
    credentialed copy, then manifest.json. Rows are read in chunks as the zip streams, never all
    at once, and the manifest's lines wait in a temporary file: memory stays flat however many
    assets. A file's digest is complete once the zip asks for the next entry. Assets the rights
    do not allow (ended, or not for `territory` / `channel`) are left out and listed under `left_out`."""
    assets = provenance.with_provenance(asset_list(project=project, **filters)).order_by("created_at", "id")[:MAX_EXPORT_ASSETS]
    left_out = []
    with JsonListSpool("assets") as lines:
        for chunk in _chunked(assets.iterator(chunk_size=EXPORT_CHUNK_ROWS), EXPORT_CHUNK_ROWS):
            allowed, refused = deliverable(chunk, territory=territory, channel=channel)
            left_out += refused
            for asset in allowed:
                name = f"assets/{asset.pk}.{asset.file.name.rsplit('.', 1)[-1]}"
                entry, describe = credentialed_zip_entry(asset, name)
                yield entry
                lines.append(describe())
        head = {
            "project": {"id": str(project.pk), "name": project.name},
            "exported_at": timezone.now(),
            "filters": filters,
            "review_status": filters.get("review_status"),
            "territory": territory,
            "channel": channel,
            "left_out": left_out,
        }
        yield ZipEntry("manifest.json", chunks=lines.chunks(head))
