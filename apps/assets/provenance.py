"""An asset's provenance, described once: the project export's manifest.json, the campaign
export's manifest and the Content Credentials assertion signed into delivered files all read
`describe()`, over rows loaded by `with_provenance()` (one prefetch).

What a description tells is a `Disclosure`. The team's own manifest.json tells everything. A
delivered file tells what a brand would publish: the decisions (what, when, under which policy,
how many approvals), not who made or decided them, not the review talk, not the project's or the
references' names, not the prompt; a project's owner opts in to the prompt, to names and to
comments, each on its own (Project.credentials_include_*).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Prefetch, QuerySet

from apps.assets.models import Asset, AssetLink

# Extra fields by name: another app (campaigns: the cell's coordinates) registers a function of
# the asset returning JSON-able data, or None when it has nothing to say.
EXTRA_FIELDS: dict[str, Callable[[Asset], Any]] = {}


def field_register(name: str, describe_field: Callable[[Asset], Any]) -> None:
    EXTRA_FIELDS[name] = describe_field


# Parts of the description the apps above assets hold, registered from their AppConfig.ready():
# "reviews" (approvals: the standing approvals and each decision) and "generation" (generations:
# the job that made the asset). Each is a function (asset, disclosure) -> the keys it adds, in
# their place, with the prefetch lookups it reads (added to with_provenance's one prefetch).
SECTIONS: dict[str, Callable[[Asset, "Disclosure"], dict]] = {}
SECTION_PREFETCHES: dict[str, tuple] = {}


def section_register(name: str, describe_section: Callable[[Asset, "Disclosure"], dict], *, prefetch: tuple = ()) -> None:
    SECTIONS[name] = describe_section
    SECTION_PREFETCHES[name] = tuple(prefetch)


def _section(name: str, asset: Asset, disclosure: "Disclosure") -> dict:
    describe_section = SECTIONS.get(name)
    return describe_section(asset, disclosure) if describe_section is not None else {}


@dataclass(frozen=True)
class Disclosure:
    prompt: bool
    names: bool  # usernames, the project's name, library entries' names
    comments: bool  # review comments


# The team's own export: everything it knows.
TEAM = Disclosure(prompt=True, names=True, comments=True)


def published(project) -> Disclosure:
    """What a file delivered out of `project` tells: only what its owner opted in to."""
    return Disclosure(
        prompt=project.credentials_include_prompt, names=project.credentials_include_names,
        comments=project.credentials_include_comments,
    )


def with_provenance(assets: QuerySet[Asset]) -> QuerySet[Asset]:
    """The rows `describe()` reads, in a fixed number of queries however many assets."""
    # generation__campaign_job__cell: what the campaigns' extra field reads (as assets.selectors does).
    # effective_rights: what the rights' extra field reads (apps.rights registers it).
    return assets.select_related("project", "created_by", "generation__campaign_job__cell", "effective_rights").prefetch_related(
        Prefetch("parent_links", queryset=AssetLink.objects.select_related("parent").order_by("id")),
        *(lookup for lookups in SECTION_PREFETCHES.values() for lookup in lookups),
    )


def named(data: dict, key: str, value, shown: bool) -> dict:
    """`data` with `key` only when the disclosure shows it: what a file does not tell, it does not
    mention (no empty keys to wonder about)."""
    if shown:
        data[key] = value
    return data


def describe(asset: Asset, *, disclosure: Disclosure) -> dict:
    """The asset's provenance as JSON-able data: itself, its project, the job that made it (with
    its settings and reference images), its parents in the lineage and its review decisions (the
    job and the decisions described by the sections generations and approvals register)."""
    data = {
        "id": str(asset.pk),
        "sha256": asset.sha256,
        "origin": asset.origin,
        "created_at": asset.created_at,
        "project": named({"id": str(asset.project_id)}, "name", asset.project.name, disclosure.names),
        "generation": None,
        "parents": [{"id": str(link.parent_id), "relation": link.relation} for link in asset.parent_links.all()],
        "review_status": asset.review_status,
        **_section("reviews", asset, disclosure),
    }
    named(data, "created_by", asset.created_by.username if asset.created_by else None, disclosure.names)
    data.update(_section("generation", asset, disclosure))
    for name, describe_field in EXTRA_FIELDS.items():
        data[name] = describe_field(asset)
    return data
