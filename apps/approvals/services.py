from django.db import transaction

from apps.approvals.models import STATUS_AFTER, Decision, Review
from apps.assets.models import Asset
from apps.core.exceptions import ValidationFailed
from apps.projects import policy
from apps.projects.policy import Action

COMMENT_REQUIRED = (Decision.REJECT, Decision.REQUEST_CHANGES)


def review_check(*, user, asset: Asset) -> None:
    """The one rule on who may decide on an asset; REST and the admin both call it."""
    policy.check(user, asset.project, Action.REVIEW)


@transaction.atomic
def review_decide(*, user, asset: Asset, decision: str, comment: str = "") -> Review:
    review_check(user=user, asset=asset)
    if decision in COMMENT_REQUIRED and not comment.strip():
        raise ValidationFailed(f"A comment is required to {decision.replace('_', ' ')}: say what should change.", field="comment")
    review = Review.objects.create(asset=asset, reviewer=user, decision=decision, comment=comment.strip())
    Asset.objects.filter(pk=asset.pk).update(review_status=STATUS_AFTER[decision])
    asset.review_status = STATUS_AFTER[decision]
    return review
