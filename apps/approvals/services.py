from django.db import transaction

from apps.approvals import policy
from apps.approvals.models import Review, ReviewPolicy
from apps.assets.models import Asset
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import NotAllowed, ValidationFailed
from apps.projects.models import Project
from apps.webhooks.services import event_emit


@transaction.atomic
def review_decide(*, user, asset: Asset, decision: str, comment: str = "") -> Review:
    """Append a decision and recompute the asset's review status from the whole log."""
    refusal = policy.decision_refusal(user, asset, decision)
    if refusal:
        raise NotAllowed(refusal, code="permission_denied")
    if policy.comment_required(decision) and not comment.strip():
        raise ValidationFailed(f"A comment is required to {decision.replace('_', ' ')}: say what should change.", field="comment")
    # Lock the asset row so two reviewers deciding at once both count.
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to generation.
    asset = Asset.objects.select_for_update(of=("self",)).select_related("project", "generation").get(pk=asset.pk)
    rules = policy.policy_for(asset.project)
    review = Review.objects.create(asset=asset, reviewer=user, decision=decision, comment=comment.strip(), policy_in_force=rules.as_dict())
    status = policy.status_from_log(policy.decision_log(asset), rules.approvals_required)
    Asset.objects.filter(pk=asset.pk).update(review_status=status)
    asset.review_status = status
    review.asset = asset
    event_emit(
        project=asset.project,
        event="asset.review_changed",
        data={"asset": str(asset.pk), "decision": decision, "comment": review.comment, "reviewer": user.username, "review_status": status},
    )
    return review


@transaction.atomic
def review_policy_update(*, project, actor=None, **fields) -> ReviewPolicy:
    """Every change is written to the audit log with the rules before and after."""
    Project.objects.select_for_update().filter(pk=project.pk).first()  # one change at a time: `before` is exact
    rules = ReviewPolicy.objects.filter(project=project).first() or ReviewPolicy(project=project)
    before = rules.as_dict()
    for name, value in fields.items():
        setattr(rules, name, value)
    rules.save()
    audit_record(project=project, actor=actor, action=AuditAction.REVIEW_POLICY_CHANGED, before=before, after=rules.as_dict())
    return rules
