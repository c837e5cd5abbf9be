"""The review rules, one function each: which roles may decide, four-eyes, which decisions need a
comment, and how decisions add up to a review status. REST, the admin, the pages and the review
page's script (through the form's markup) all follow these."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.functions import Coalesce

from apps.approvals.models import Decision, ReviewPolicy
from apps.assets.models import Asset, ReviewStatus
from apps.checks.selectors import failing_checks
from apps.projects import policy as project_policy
from apps.projects.models import Membership, Project

MAX_APPROVALS_REQUIRED = 5


def policy_for(project: Project) -> ReviewPolicy:
    """The project's saved policy, or the defaults (unsaved) when the owner never set one."""
    try:
        return project.review_policy
    except ReviewPolicy.DoesNotExist:
        return ReviewPolicy(project=project)


def role_may_decide(project: Project, role: str | None) -> bool:
    """Whether members with `role` may decide reviews in `project` (its review policy says which roles)."""
    return role is not None and role in policy_for(project).decider_roles


def made_by(asset: Asset):
    """Whoever asked for the asset: the creator of its generation, or its uploader."""
    return asset.generation.created_by_id if asset.generation_id else asset.created_by_id


# A project API key acts for the person who made it: its principal (a user of its own) counts as
# that person wherever the review rules count people.
PERSON = Coalesce(F("api_key__created_by_id"), F("pk"))


def same_person(user) -> set[int]:
    """The user ids that count as `user`'s person: the person (a key's maker, or the user) and
    every key principal that person made. Two keys an owner minted are the owner, twice."""
    users = get_user_model().objects
    person = users.filter(pk=user.pk).annotate(person=PERSON).values_list("person", flat=True).first() or user.pk
    return {user.pk, person, *users.filter(api_key__created_by_id=person).values_list("pk", flat=True)}


def own_work(user, person: set[int] | None = None) -> Q:
    """made_by() as a filter on assets: the queryset twin of the four-eyes rule (`person`: the
    user's same_person(), when the caller has read it already)."""
    ids = same_person(user) if person is None else person
    return Q(generation__created_by__in=ids) | Q(generation__isnull=True, created_by__in=ids)


def four_eyes_forbids(user, asset: Asset, decision: str) -> bool:
    """Under the project's four-eyes rule, nobody approves their own work, nor with keys they made."""
    return decision == Decision.APPROVE and policy_for(asset.project).four_eyes and made_by(asset) in same_person(user)


def comment_required(decision: str) -> bool:
    """A reject or a request for changes must say what should change."""
    return decision in (Decision.REJECT, Decision.REQUEST_CHANGES)


def comment_rule_text() -> str:
    """comment_required() in words, for form help texts."""
    needing = [label.lower() for value, label in Decision.choices if comment_required(value)]
    return f"Required to {' or '.join(needing)}: say what should change."


def decider_refusal(user, project: Project, *, role: str | None = None) -> str | None:
    """Why `user` may not decide in `project` (a review, or a campaign cell's draft), or None."""
    role = role if role is not None else project_policy.role_of(user, project)
    if role is None:
        return "You are not a member of this project."
    if not role_may_decide(project, role):
        deciders = ", ".join(policy_for(project).decider_roles)
        return f"Your role ({role}) may not decide reviews in this project. Allowed roles: {deciders}."
    return None


def decision_refusal(user, asset: Asset, decision: str = Decision.APPROVE, *, role: str | None = None) -> str | None:
    """Why `user` may not record `decision` on `asset`, or None when they may."""
    role = role if role is not None else project_policy.role_of(user, asset.project)
    if role is None:
        return "You are not a member of this asset's project."
    refusal = decider_refusal(user, asset.project, role=role)
    if refusal:
        return refusal
    if four_eyes_forbids(user, asset, decision):
        return "Four-eyes rule: you made this asset, so someone else must approve it."
    return None


def checks_blocking(asset: Asset, decision: str, waiver: str = "") -> list[str]:
    """The failing brand checks that stop this approval: under `checks_must_pass`, approving an
    asset whose latest reading failed needs a waiver saying why. Empty: nothing stops it."""
    if decision != Decision.APPROVE or waiver.strip() or not policy_for(asset.project).checks_must_pass:
        return []
    return failing_checks(asset)


def checks_refusal_text(failing: list[str]) -> str:
    return (f"Brand checks failed: {', '.join(failing)}. The review policy says checks must pass; "
            "approve with a waiver saying why, or reject.")


def decisions_allowed(user, asset: Asset, *, role: str | None = None) -> dict[str, str | None]:
    """Each decision with why it is refused (None: allowed), for pages that show or explain it."""
    return {decision: decision_refusal(user, asset, decision, role=role) for decision in Decision.values}


def projects_user_may_review(user):
    """Projects whose review policy lets the user's role decide (one query for memberships)."""
    if user.is_superuser:
        return Project.objects.all()
    memberships = Membership.objects.filter(user=user).select_related("project__review_policy")
    allowed = [m.project_id for m in memberships if role_may_decide(m.project, m.role)]
    return Project.objects.filter(pk__in=allowed)


def status_from_log(decisions: list[tuple[int, str]], approvals_required: int) -> str:
    """Review status from the decision log, newest first as (reviewer's person id, decision): see
    decision_log(), which counts a key's decisions as its maker's.

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


def decision_log(asset: Asset) -> list[tuple[int | str, str]]:
    """The asset's decisions newest first as (person id, decision), for status_from_log(). A
    guest is the person "guest:<email>"; a guest's approval is in the log only when the review
    policy says guests count (guest_counts), while a guest's rejection or request for changes
    always stands."""
    person = Coalesce(F("reviewer__api_key__created_by_id"), F("reviewer_id"))
    rows = asset.reviews.order_by("-created_at", "-id").annotate(person=person).values_list("person", "decision", "guest")
    guests_count = policy_for(asset.project).guests_count
    return [(f"guest:{guest['email'].lower()}" if guest else person, decision) for person, decision, guest in rows
            if guest_counts(guest, decision, guests_count)]


def guest_counts(guest: dict | None, decision: str, guests_count: bool) -> bool:
    """Whether a decision enters the count: everyone's does, but a guest's approval only when
    the project's review policy says guests count (off by default)."""
    return not guest or decision != Decision.APPROVE or guests_count


def guest_decision_refusal(guest: dict, asset: Asset, decision: str) -> str | None:
    """Four-eyes holds through a review link too: a link is no way to approve one's own work
    (the guest's email is the maker's)."""
    if decision != Decision.APPROVE or not policy_for(asset.project).four_eyes:
        return None
    maker = get_user_model().objects.filter(pk=made_by(asset)).values_list("email", flat=True).first()
    if maker and maker.strip().lower() == guest["email"].strip().lower():
        return "Four-eyes rule: this asset was made with your email address, so someone else must approve it."
    return None


def _enough(approvers: set, required: int) -> str:
    return ReviewStatus.APPROVED if len(approvers) >= required else ReviewStatus.PENDING
