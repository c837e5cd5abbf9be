"""The one rule on who may decide on an asset, and how decisions add up to a review status.
REST, the admin and the pages all ask here."""

from __future__ import annotations

from apps.approvals.models import Decision, ReviewPolicy
from apps.assets.models import Asset, ReviewStatus
from apps.projects import policy as project_policy
from apps.projects.models import Membership, Project

MAX_APPROVALS_REQUIRED = 5


def policy_for(project: Project) -> ReviewPolicy:
    """The project's saved policy, or the defaults (unsaved) when the owner never set one."""
    try:
        return project.review_policy
    except ReviewPolicy.DoesNotExist:
        return ReviewPolicy(project=project)


def made_by(asset: Asset):
    """Whoever asked for the asset: the creator of its generation, or its uploader."""
    return asset.generation.created_by_id if asset.generation_id else asset.created_by_id


def decision_refusal(user, asset: Asset, decision: str = Decision.APPROVE, *, role: str | None = None) -> str | None:
    """Why `user` may not record `decision` on `asset`, or None when they may."""
    role = role if role is not None else project_policy.role_of(user, asset.project)
    if role is None:
        return "You are not a member of this asset's project."
    rules = policy_for(asset.project)
    if role not in rules.decider_roles:
        return f"Your role ({role}) may not decide reviews in this project. Allowed roles: {', '.join(rules.decider_roles)}."
    if decision == Decision.APPROVE and rules.four_eyes and made_by(asset) == user.pk:
        return "Four-eyes rule: you made this asset, so someone else must approve it."
    return None


def decisions_allowed(user, asset: Asset, *, role: str | None = None) -> dict[str, str | None]:
    """Each decision with why it is refused (None: allowed), for pages that show or explain it."""
    return {decision: decision_refusal(user, asset, decision, role=role) for decision in Decision.values}


def projects_user_may_review(user):
    """Projects whose review policy lets the user's role decide (one query for memberships)."""
    if user.is_superuser:
        return Project.objects.all()
    memberships = Membership.objects.filter(user=user).select_related("project__review_policy")
    allowed = [m.project_id for m in memberships if m.role in policy_for(m.project).decider_roles]
    return Project.objects.filter(pk__in=allowed)


def status_from_log(decisions: list[tuple[int, str]], approvals_required: int) -> str:
    """Review status from the decision log, newest first as (reviewer id, decision).

    The latest reject or request-changes stands; otherwise the asset is approved once enough
    distinct reviewers approved since the last such decision."""
    approvers = set()
    for reviewer_id, decision in decisions:
        if decision == Decision.REJECT:
            return ReviewStatus.REJECTED if not approvers else _enough(approvers, approvals_required)
        if decision == Decision.REQUEST_CHANGES:
            return ReviewStatus.CHANGES_REQUESTED if not approvers else _enough(approvers, approvals_required)
        approvers.add(reviewer_id)
    return _enough(approvers, approvals_required)


def _enough(approvers: set, required: int) -> str:
    return ReviewStatus.APPROVED if len(approvers) >= required else ReviewStatus.PENDING
