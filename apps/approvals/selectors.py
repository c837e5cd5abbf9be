from django.db.models import QuerySet

from apps.approvals import policy
from apps.approvals.models import Decision, Review
from apps.assets.models import Asset, ReviewStatus
from apps.assets.selectors import asset_queryset


def review_queue(*, project, user, checks: str = "") -> QuerySet[Asset]:
    """Pending assets this user can still move, oldest first: not ones they already approved, and
    under four-eyes not their own work; `checks` keeps those whose brand checks are in that status."""
    assets = asset_queryset().filter(project=project, review_status=ReviewStatus.PENDING)
    if checks:
        assets = assets.filter(check_result__status=checks)
    assets = assets.exclude(pk__in=Review.objects.filter(reviewer=user, decision=Decision.APPROVE).values("asset"))
    if policy.policy_for(project).four_eyes:
        assets = assets.exclude(policy.own_work(user))
    return assets.order_by("created_at", "id")
