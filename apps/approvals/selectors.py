from django.db.models import Prefetch, Q, QuerySet

from apps.approvals import policy
from apps.approvals.models import Comment, Decision, Review
from apps.assets.models import Asset, ReviewStatus
from apps.assets.selectors import asset_ancestor_ids, asset_queryset


def review_queue(*, project, user, checks: str = "", campaign=None) -> QuerySet[Asset]:
    """Pending assets this user can still move, oldest first: not ones they already approved, and
    under four-eyes not their own work; `checks` keeps those whose brand checks are in that status,
    `campaign` (an id) those a stage of that campaign made."""
    assets = asset_queryset().filter(project=project, review_status=ReviewStatus.PENDING)
    if campaign:
        assets = assets.filter(generation__campaign_job__cell__campaign=campaign)
    person = policy.same_person(user)  # a key's approvals are its maker's
    if checks:
        assets = assets.filter(check_result__status=checks)
    assets = assets.exclude(pk__in=Review.objects.filter(reviewer__in=person, decision=Decision.APPROVE).values("asset"))
    if policy.policy_for(project).four_eyes:
        assets = assets.exclude(policy.own_work(user, person))
    return assets.order_by("created_at", "id")


def asset_comments(asset: Asset) -> list[Comment]:
    """The asset's threads (replies prefetched, oldest first), then the pinned, top-level comments of
    the versions it was made from, each with `on_earlier_version`; pinned ones carry `number`, the
    marker drawn on the image. A fixed number of queries whatever the lineage's depth."""
    earlier = asset_ancestor_ids(asset)
    threads = (
        Comment.objects.filter(parent__isnull=True, asset__project_id=asset.project_id)  # lineage never crosses projects; this holds it
        .filter(Q(asset=asset) | Q(asset_id__in=earlier, pin__isnull=False))
        .select_related("author", "resolved_by", "addressed_by")
        .prefetch_related(
            Prefetch("replies", queryset=Comment.objects.select_related("author").prefetch_related("mentions")), "mentions", "addressed_by__assets",
        )
    )
    rows = sorted(threads, key=lambda c: (c.asset_id != asset.pk, c.created_at, c.pk))
    number = 0
    for comment in rows:
        comment.on_earlier_version = comment.asset_id != asset.pk
        comment.number = None
        if comment.pin:
            number += 1
            comment.number = number
    return rows


def pin_markers(comments: list[Comment]) -> list[dict]:
    """The numbered pins of `asset_comments` as the pages draw them over the image (pins.js)."""
    return [
        {"id": c.pk, "number": c.number, "pin": c.pin, "resolved": c.is_resolved, "earlier": c.on_earlier_version}
        for c in comments if c.number
    ]


def waiting_for(user) -> list[tuple]:
    """(project, how many wait for this user's review) for each project they may decide in, with
    any waiting: the admin's home page leads with it."""
    from apps.approvals.policy import projects_user_may_review

    rows = []
    for project in projects_user_may_review(user).order_by("name"):
        count = review_queue(project=project, user=user).count()
        if count:
            rows.append((project, count))
    return rows
