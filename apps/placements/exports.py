"""Placement files in exports: `placements=` on the project and campaign exports. Each file is the
placement rendition (made now if needed, signed with the asset as parent); its manifest line says
its size, bytes, format and safe-zone result. A placement that cannot be made is a manifest line
with the reason, never a broken zip."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from apps.core.downloads import ZipEntry
from apps.core.exceptions import ApplicationError, NotFound, ValidationFailed
from apps.placements import selectors, services
from apps.placements.catalogue import Placement

MAX_EXPORT_PLACEMENTS = 40


def placements_parse(project, value: str, *, campaign_keys: list[str] = ()) -> list[Placement]:
    """`a,b,c` (keys), `all` (the catalogue and the project's own) or `campaign` (the campaign's)."""
    value = (value or "").strip()
    if not value:
        return []
    if value == "all":
        return selectors.placements_for(project)
    keys = list(campaign_keys) if value == "campaign" else [key.strip() for key in value.split(",") if key.strip()]
    if len(keys) > MAX_EXPORT_PLACEMENTS:
        raise ValidationFailed(f"placements names {len(keys)}; at most {MAX_EXPORT_PLACEMENTS}.", field="placements",
                               details={"limit": MAX_EXPORT_PLACEMENTS, "value": len(keys)})
    found = []
    for key in dict.fromkeys(keys):
        try:
            found.append(selectors.placement_get(project, key))
        except NotFound:
            raise ValidationFailed(
                f"placements: no placement {key!r} (GET /api/v1/placements/?project={project.pk} lists them).", field="placements", code="invalid",
            ) from None
    return found


def placement_entries(asset, placements: list[Placement], path_for: Callable[[Placement, str], str]) -> Iterator[tuple[ZipEntry | None, dict]]:
    """For each placement: its zip entry (None when it could not be made) and its manifest line."""
    source = services._Source(asset)
    for placement in placements:
        line = {"placement": placement.key, "channel": placement.channel, "width": placement.width, "height": placement.height,
                "max_bytes": placement.max_bytes, "asset": str(asset.pk)}
        try:
            row = services.placement_file(asset, placement, source=source)
        except ApplicationError as refusal:
            yield None, {**line, "file": None, "error": refusal.as_dict()}
            continue
        rendition = row.rendition
        extension = rendition.file.name.rsplit(".", 1)[-1]
        name = path_for(placement, extension)
        summary = services.placement_summary(asset, placement, row)
        yield ZipEntry(name, storage_key=rendition.file.name), {
            **line, "file": name, "size_bytes": rendition.size_bytes, "format": row.format, "mime_type": rendition.mime_type,
            "quality": row.quality, "content_credentials": True, "focal_point": row.focal_point, "crop": row.crop,
            "warnings": row.warnings, "safe_zones": summary["safe_zones_result"],
        }


def project_placement_entries(*, project, assets, placements: list[Placement], filters: dict) -> Iterator[ZipEntry]:
    """The project export with `placements=`: `{channel}/{placement}/{asset id}.{ext}` for each
    asset and placement, then manifest.json (its lines spooled to a file as the zip streams)."""
    from django.utils import timezone

    from apps.core.downloads import JsonListSpool

    with JsonListSpool("files") as lines:
        for asset in assets.iterator(chunk_size=50):
            for entry, line in placement_entries(asset, placements, lambda p, ext, a=asset: f"{p.channel}/{p.key}/{a.pk}.{ext}"):
                if entry is not None:
                    yield entry
                lines.append(line)
        head = {"project": {"id": str(project.pk), "name": project.name}, "exported_at": timezone.now(), "filters": filters,
                "placements": [p.key for p in placements]}
        yield ZipEntry("manifest.json", chunks=lines.chunks(head))
