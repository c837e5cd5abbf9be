"""Reading placements: the catalogue's and a project's own, one list."""

from __future__ import annotations

from apps.core.exceptions import NotFound
from apps.placements import catalogue
from apps.placements.catalogue import Placement
from apps.placements.models import PlacementRendition, ProjectPlacement


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
