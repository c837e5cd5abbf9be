"""Reading placements: the catalogue's and a project's own, one list."""

from __future__ import annotations

import uuid

from django.urls import reverse

from apps.assets.selectors import LineageFile
from apps.core.exceptions import NotFound
from apps.placements import catalogue
from apps.placements.catalogue import Placement
from apps.placements.models import PlacementRendition, ProjectPlacement

# The lineage edge from a placement file to the asset it was cut from (the same word its
# Content Credentials give the parent ingredient).
PLACEMENT_RELATION = "placement_of"
PLACEMENT_RELATION_LABEL = "Placement file of"


def project_placements(project) -> list[Placement]:
    return [catalogue.placement_from(row.as_data(), custom=True) for row in ProjectPlacement.objects.filter(project=project)]


def placements_for(project=None) -> list[Placement]:
    """The catalogue, then the project's own (by channel and key)."""
    return catalogue.catalogue_placements() + (project_placements(project) if project is not None else [])


def placement_get(project, key: str) -> Placement:
    found = catalogue.catalogue_placement(key)
    if found is None:
        row = ProjectPlacement.objects.filter(project=project, key=key).first()
        found = catalogue.placement_from(row.as_data(), custom=True) if row else None
    if found is None:
        raise NotFound(f"No placement {key!r} in the catalogue or this project; GET /api/v1/placements/ lists them.", code="placement_not_found")
    return found


def rendered_placements(asset) -> dict[str, PlacementRendition]:
    """The newest placement file of each key already made for the asset."""
    latest = {}
    for row in PlacementRendition.objects.filter(asset=asset).select_related("rendition").order_by("created_at"):
        latest[row.placement_key] = row
    return latest


def placement_node_id(asset_id, key: str) -> uuid.UUID:
    """The lineage node of an asset's file for a placement: the same id however often it is remade."""
    return uuid.uuid5(uuid.UUID(str(asset_id)), f"placement:{key}")


def lineage_placement_files(asset_ids: set) -> list[LineageFile]:
    """The newest placement file of each key made for each of the assets (two queries at most)."""
    if not asset_ids:
        return []
    latest: dict[tuple, PlacementRendition] = {}
    rows = PlacementRendition.objects.filter(asset_id__in=asset_ids).select_related("rendition", "asset").order_by("created_at", "pk")
    for row in rows:
        latest[(row.asset_id, row.placement_key)] = row
    own_keys = {key for _, key in latest if catalogue.catalogue_placement(key) is None}
    own = {}
    if own_keys:
        projects = {row.asset.project_id for row in latest.values()}
        own = {(p.project_id, p.key): p for p in ProjectPlacement.objects.filter(project_id__in=projects, key__in=own_keys)}
    files = []
    for (asset_id, key), row in latest.items():
        placement = catalogue.catalogue_placement(key) or own.get((row.asset.project_id, key))
        rendition = row.rendition
        files.append(LineageFile(
            id=placement_node_id(asset_id, key), type="placement", relation=PLACEMENT_RELATION, asset_id=asset_id, key=key,
            label=placement.label if placement else key, channel=placement.channel if placement else "custom",
            width=rendition.width, height=rendition.height, mime_type=rendition.mime_type, size_bytes=rendition.size_bytes,
            created_at=row.created_at, file_path=reverse("asset-placement-file", args=[asset_id, key]),
        ))
    return files
