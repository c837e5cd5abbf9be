"""The review part of an asset's provenance (apps.assets.provenance, which describes the rest): the
approvals standing and each decision, under the disclosure asked. Registered as the "reviews"
section from ApprovalsConfig.ready()."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.approvals.models import Decision, Review
from apps.approvals.policy import policy_for
from apps.assets.provenance import Disclosure, named

PREFETCH = (Prefetch("reviews", queryset=Review.objects.select_related("reviewer").order_by("created_at", "id")),)


def _policy_now(project) -> dict:
    """For decisions recorded before each kept the policy in force: the policy now, with its date."""
    rules = policy_for(project)
    return {**rules.as_dict(), "updated_at": rules.updated_at}


def _standing_approvals(reviews: list) -> int:
    """Distinct reviewers who approved since the latest rejection or request for changes."""
    approvers = set()
    for review in reversed(reviews):
        if review.decision != Decision.APPROVE:
            break
        if review.guest and not (review.policy_in_force or {}).get("guests_count"):
            continue  # a guest's approval counts only where the policy in force said guests count
        approvers.add(f"guest:{review.guest['email'].lower()}" if review.guest else review.reviewer_id)
    return len(approvers)


def reviews_describe(asset, disclosure: Disclosure) -> dict:
    reviews = list(asset.reviews.all())
    policy_now = _policy_now(asset.project) if any(r.policy_in_force is None for r in reviews) else None
    return {
        "approvals": _standing_approvals(reviews),
        "reviews": [
            named(
                named({"decision": review.decision, "at": review.created_at, "policy": review.policy_in_force or policy_now,
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
