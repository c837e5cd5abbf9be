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
    from apps.approvals.models import Review
    from apps.generations.models import GenerationReference

    # generation__campaign_job__cell: what the campaigns' extra field reads (as assets.selectors does).
    # effective_rights: what the rights' extra field reads (apps.rights registers it).
    return assets.select_related("project", "created_by", "generation__campaign_job__cell", "effective_rights").prefetch_related(
        Prefetch("parent_links", queryset=AssetLink.objects.select_related("parent").order_by("id")),
        Prefetch("reviews", queryset=Review.objects.select_related("reviewer").order_by("created_at", "id")),
        Prefetch(
            "generation__references",
            queryset=GenerationReference.objects.select_related("reference_image__entry").order_by("position"),
        ),
    )


def _named(data: dict, key: str, value, shown: bool) -> dict:
    """`data` with `key` only when the disclosure shows it: what a file does not tell, it does not
    mention (no empty keys to wonder about)."""
    if shown:
        data[key] = value
    return data


def _policy_now(project) -> dict:
    """For decisions recorded before each kept the policy in force: the policy now, with its date."""
    from apps.approvals.policy import policy_for

    rules = policy_for(project)
    return {**rules.as_dict(), "updated_at": rules.updated_at}


def _standing_approvals(reviews: list) -> int:
    """Distinct reviewers who approved since the latest rejection or request for changes."""
    from apps.approvals.models import Decision

    approvers = set()
    for review in reversed(reviews):
        if review.decision != Decision.APPROVE:
            break
        if review.guest and not (review.policy_in_force or {}).get("guests_count"):
            continue  # a guest's approval counts only where the policy in force said guests count
        approvers.add(f"guest:{review.guest['email'].lower()}" if review.guest else review.reviewer_id)
    return len(approvers)


def describe(asset: Asset, *, disclosure: Disclosure) -> dict:
    """The asset's provenance as JSON-able data: itself, its project, the job that made it (with
    its settings and reference images), its parents in the lineage and its review decisions."""
    job = asset.generation
    reviews = list(asset.reviews.all())
    policy_now = _policy_now(asset.project) if any(r.policy_in_force is None for r in reviews) else None
    data = {
        "id": str(asset.pk),
        "sha256": asset.sha256,
        "origin": asset.origin,
        "created_at": asset.created_at,
        "project": _named({"id": str(asset.project_id)}, "name", asset.project.name, disclosure.names),
        "generation": None,
        "parents": [{"id": str(link.parent_id), "relation": link.relation} for link in asset.parent_links.all()],
        "review_status": asset.review_status,
        "approvals": _standing_approvals(reviews),
        "reviews": [
            _named(
                _named({"decision": review.decision, "at": review.created_at, "policy": review.policy_in_force or policy_now,
                        # An approval over failing brand checks always says so, and why (issue: waivers are published).
                        **({"waiver": review.waiver, "waived_checks": review.waived_checks} if review.waiver else {}),
                        # A guest's decision always says so, and through which link (its label), names shown or not.
                        **({"guest": True, "via": review.guest["link"]} if review.guest else {})},
                       "reviewer", review.decided_by if review.guest else (review.reviewer.username if review.reviewer else None), disclosure.names),
                "comment", review.comment, disclosure.comments,
            )
            for review in reviews
        ],
    }
    _named(data, "created_by", asset.created_by.username if asset.created_by else None, disclosure.names)
    if job is not None:
        data["generation"] = {
            "id": str(job.pk),
            "kind": job.kind,
            "model": job.model,
            "model_version": asset.model_version or job.model_version,
            "response_id": asset.response_id or job.response_id,
            "settings": {
                "aspect_ratio": job.aspect_ratio,
                "image_size": job.image_size,
                "thinking_level": job.thinking_level or None,
                "grounding": {"web": job.web_search, "image": job.image_search},
                "target_language": job.target_language or None,
            },
            "references": [
                _named(
                    {"id": str(use.reference_image_id), "kind": use.reference_image.entry.kind, "sha256": use.sha256},
                    "entry", use.reference_image.entry.name, disclosure.names,
                )
                for use in job.references.all()
            ],
        }
        if disclosure.prompt:
            data["generation"]["prompt"] = job.prompt
    for name, describe_field in EXTRA_FIELDS.items():
        data[name] = describe_field(asset)
    return data
