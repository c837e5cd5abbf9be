from django.db import transaction

from apps.approvals import policy
from apps.approvals.models import Decision, Review, ReviewPolicy
from apps.assets.models import Asset
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.checks.selectors import failing_checks
from apps.core.exceptions import Conflict, NotAllowed, ValidationFailed
from apps.projects.models import Project
from apps.webhooks.services import event_emit


@transaction.atomic
def review_decide(*, user, asset: Asset, decision: str, comment: str = "", waiver: str = "") -> Review:
    """Append a decision and recompute the asset's review status from the whole log.

    An approval over failing brand checks keeps its waiver and the checks it overrode on the
    decision and in the audit log; under `checks_must_pass` it needs one (409 `checks_failed`)."""
    refusal = policy.decision_refusal(user, asset, decision)
    if refusal:
        raise NotAllowed(refusal, code="permission_denied")
    if policy.comment_required(decision) and not comment.strip():
        raise ValidationFailed(f"A comment is required to {decision.replace('_', ' ')}: say what should change.", field="comment")
    waiver = waiver.strip()
    if waiver and decision != Decision.APPROVE:
        raise ValidationFailed(f"A waiver applies only to approving; this decision is {decision.replace('_', ' ')}. Leave waiver empty.", field="waiver")
    # Lock the asset row so two reviewers deciding at once both count.
    # of=("self",): PostgreSQL refuses FOR UPDATE on the nullable side of the outer join to generation.
    asset = Asset.objects.select_for_update(of=("self",)).select_related("project", "generation", "check_result").get(pk=asset.pk)
    blocking = policy.checks_blocking(asset, decision, waiver)  # read under the lock: the latest reading counts
    if blocking:
        raise Conflict(policy.checks_refusal_text(blocking), code="checks_failed", field="waiver", details={"checks": blocking})
    rules = policy.policy_for(asset.project)
    waived = failing_checks(asset) if waiver else []
    review = Review.objects.create(
        asset=asset, reviewer=user, decision=decision, comment=comment.strip(), policy_in_force=rules.as_dict(),
        waiver=waiver if waived else "", waived_checks=waived,
    )
    if waived:
        audit_record(project=asset.project, actor=user, action=AuditAction.CHECKS_WAIVED, target=f"asset {asset.pk}: {asset.display_title}",
                     after={"asset": str(asset.pk), "decision": decision, "checks": waived, "waiver": waiver})
    log = list(asset.reviews.order_by("-created_at", "-id").values_list("reviewer_id", "decision"))
    status = policy.status_from_log(log, rules.approvals_required)
    Asset.objects.filter(pk=asset.pk).update(review_status=status)
    asset.review_status = status
    review.asset = asset
    event_emit(
        project=asset.project,
        event="asset.review_changed",
        data={"asset": str(asset.pk), "decision": decision, "comment": review.comment, "reviewer": user.username, "review_status": status,
              **({"waiver": review.waiver, "waived_checks": waived} if waived else {})},
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


def approve_passing(*, user, assets) -> dict:
    """"Approve all that pass": approve exactly the pending assets whose brand checks passed, each
    through review_decide (so four-eyes and the deciding roles still apply). Refusals are reported,
    not raised; the rest are counted as not passing (failed, needs attention, checking, unchecked)."""
    from rest_framework.exceptions import PermissionDenied

    from apps.assets.models import ReviewStatus
    from apps.checks.models import CheckStatus
    from apps.checks.selectors import check_for
    from apps.core.exceptions import ApplicationError

    approved, refused, not_passing = [], [], []
    for asset in assets:
        if asset.review_status != ReviewStatus.PENDING:
            continue
        check = check_for(asset)
        if check is None or check.status != CheckStatus.PASSED:
            not_passing.append({"asset": str(asset.pk), "checks": check.status if check else None})
            continue
        try:
            review_decide(user=user, asset=asset, decision=Decision.APPROVE)
        except (ApplicationError, PermissionDenied) as refusal:
            refused.append({"asset": str(asset.pk), "title": asset.display_title,
                            "code": getattr(refusal, "code", "permission_denied"), "message": getattr(refusal, "message", None) or str(refusal.detail)})
        else:
            approved.append(str(asset.pk))
    return {"approved": len(approved), "refused": len(refused), "not_passing": len(not_passing),
            "approved_assets": approved, "refusals": refused, "not_passing_assets": not_passing}


def approve_passing_message(outcome: dict) -> tuple[str, str | None]:
    """The pages' sentence for approve_passing's outcome, and the refusals' sentence (or None)."""
    done = outcome["approved"]
    text = f"Approved {done} asset{'s' if done != 1 else ''} whose checks passed"
    text += f"; {outcome['not_passing']} not passing left for review." if outcome["not_passing"] else "."
    refused = None
    if outcome["refused"]:
        refused = f"Refused {outcome['refused']}: " + " ".join(f"“{r['title']}”: {r['message']}" for r in outcome["refusals"])
    return text, refused
