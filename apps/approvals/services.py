from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.approvals import comments, policy
from apps.approvals.models import COMMENT_MAX_CHARS, COMMENTS_PER_ASSET, MENTIONS_PER_COMMENT, Comment, Decision, Review, ReviewPolicy, guest_words
from apps.approvals.signals import comment_created, review_decided
from apps.assets.models import Asset, ReviewStatus
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.checks.selectors import failing_checks
from apps.core.exceptions import Conflict, NotAllowed, ValidationFailed
from apps.core.signals import send_on_commit
from apps.projects import policy as project_policy
from apps.projects.models import Project
from apps.projects.policy import Action
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
    previous_status = asset.review_status
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
    status = policy.status_from_log(policy.decision_log(asset), rules.approvals_required)
    Asset.objects.filter(pk=asset.pk).update(review_status=status)
    asset.review_status = status
    review.asset = asset
    if status == ReviewStatus.APPROVED:
        comments_resolve_addressed(asset=asset, user=user)
    event_emit(
        project=asset.project,
        event="asset.review_changed",
        data={"asset": str(asset.pk), "decision": decision, "comment": review.comment, "reviewer": user.username, "review_status": status,
              **({"waiver": review.waiver, "waived_checks": waived} if waived else {})},
    )
    send_on_commit(review_decided, Review, review=review, asset=asset, previous_status=previous_status)
    return review


REVIEW_UNDO_SECONDS = 15  # the pages offer Undo for less (review.js), so a slow click still lands


def review_undo_refusal(*, user, review: Review) -> str:
    """Why this person cannot take `review` back now ("" when they can): only their own, only the
    asset's latest decision, only within REVIEW_UNDO_SECONDS."""
    if review.reviewer_id != user.pk:
        return "Only the person who made a decision can undo it."
    latest = Review.objects.filter(asset_id=review.asset_id).order_by("-created_at", "-id").values_list("pk", flat=True).first()
    if latest != review.pk:
        return "A later decision was made on this asset; only the latest can be undone."
    age = (timezone.now() - review.created_at).total_seconds()
    if age > REVIEW_UNDO_SECONDS:
        return f"Undo is possible for {REVIEW_UNDO_SECONDS} seconds after a decision; this one was {int(age)} seconds ago. Decide again instead."
    return ""


@transaction.atomic
def review_undo(*, user, review: Review) -> Asset:
    """Take back one's own latest decision moments after making it (the review queue's Undo): the
    decision is removed from the log, the asset's status recomputed, and the audit log keeps what
    was undone. Integrations get asset.review_changed with `undone`."""
    asset = Asset.objects.select_for_update(of=("self",)).select_related("project").get(pk=review.asset_id)
    review = Review.objects.filter(pk=review.pk).first()
    if review is None:
        raise Conflict("This decision was already undone.", code="already_undone")
    refusal = review_undo_refusal(user=user, review=review)
    if refusal:
        raise Conflict(refusal, code="undo_refused")
    undone = {"asset": str(asset.pk), "decision": review.decision, "comment": review.comment, "decided_at": review.created_at.isoformat(),
              "review_status": asset.review_status}
    review.delete()
    status = policy.status_from_log(policy.decision_log(asset), policy.policy_for(asset.project).approvals_required)
    Asset.objects.filter(pk=asset.pk).update(review_status=status)
    asset.review_status = status
    audit_record(project=asset.project, actor=user, action=AuditAction.REVIEW_UNDONE, target=f"asset {asset.pk}: {asset.display_title}",
                 before=undone, after={"asset": str(asset.pk), "review_status": status})
    event_emit(
        project=asset.project, event="asset.review_changed",
        data={"asset": str(asset.pk), "decision": undone["decision"], "comment": undone["comment"], "reviewer": user.username,
              "review_status": status, "undone": True},
    )
    return asset


@transaction.atomic
def review_decide_as_guest(*, guest: dict, asset: Asset, decision: str, comment: str = "") -> Review:
    """A guest's decision through a review link (apps.guests checked the link lets them decide).
    The same comment rule and brand-check rule as members' (a guest cannot waive), four-eyes by
    email; recorded with the guest's name, email and link, and in the audit log. Whether it moves
    the asset's status is the review policy's (policy.decision_log: guests_count)."""
    refusal = policy.guest_decision_refusal(guest, asset, decision)
    if refusal:
        raise NotAllowed(refusal, code="permission_denied")
    if policy.comment_required(decision) and not comment.strip():
        raise ValidationFailed(f"A comment is required to {decision.replace('_', ' ')}: say what should change.", field="comment")
    asset = Asset.objects.select_for_update(of=("self",)).select_related("project", "generation", "check_result").get(pk=asset.pk)
    previous_status = asset.review_status
    blocking = policy.checks_blocking(asset, decision)
    if blocking:
        raise Conflict(policy.checks_refusal_text(blocking).split(";")[0] + "; a guest cannot waive them. Reject, or ask the team.",
                       code="checks_failed", details={"checks": blocking})
    rules = policy.policy_for(asset.project)
    review = Review.objects.create(asset=asset, reviewer=None, guest=guest, decision=decision, comment=comment.strip(),
                                   policy_in_force=rules.as_dict())
    status = policy.status_from_log(policy.decision_log(asset), rules.approvals_required)
    Asset.objects.filter(pk=asset.pk).update(review_status=status)
    asset.review_status = status
    review.asset = asset
    counted = policy.guest_counts(guest, decision, rules.guests_count)
    audit_record(project=asset.project, actor=None, actor_name=guest_words(guest), action=AuditAction.GUEST_DECIDED,
                 target=f"asset {asset.pk}: {asset.display_title}",
                 after={"asset": str(asset.pk), "decision": decision, "guest": guest_words(guest), "counted": counted, "review_status": status})
    event_emit(
        project=asset.project, event="asset.review_changed",
        data={"asset": str(asset.pk), "decision": decision, "comment": review.comment, "reviewer": None, "guest": guest_words(guest),
              "review_status": status},
    )
    send_on_commit(review_decided, Review, review=review, asset=asset, previous_status=previous_status)
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


def approve_passing(*, user, assets, only_passing: bool = True) -> dict:
    """"Approve all that pass": approve exactly the pending assets whose brand checks passed, each
    through review_decide (so four-eyes and the deciding roles still apply). Refusals are reported,
    not raised; the rest are counted as not passing (failed, needs attention, checking, unchecked).
    `only_passing=False` ("approve all waiting", after looking at them): every pending asset, the
    review policy still refusing what it refuses (checks_must_pass wants a waiver)."""
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
        if only_passing and (check is None or check.status != CheckStatus.PASSED):
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


# --- comments -------------------------------------------------------------------------------


def _comment_limits(body: str) -> str:
    body = body.strip()
    if not body:
        raise ValidationFailed("Write what you noticed; the comment is empty.", field="body", code="blank")
    if len(body) > COMMENT_MAX_CHARS:
        raise ValidationFailed(
            f"The comment is {len(body)} characters; the limit is {COMMENT_MAX_CHARS}.",
            field="body", code="too_long", details={"limit": COMMENT_MAX_CHARS, "value": len(body)},
        )
    return body


def _mentions(project, body: str) -> list:
    """Project members named with @username (others are left as text). Notifying them is another step."""
    names = comments.mentioned_usernames(body)
    if len(names) > MENTIONS_PER_COMMENT:
        raise ValidationFailed(
            f"The comment mentions {len(names)} people; the limit is {MENTIONS_PER_COMMENT}.",
            field="body", code="too_many_mentions", details={"limit": MENTIONS_PER_COMMENT, "value": len(names)},
        )
    users = get_user_model().objects.filter(username__in=names, memberships__project=project)
    return sorted(users, key=lambda user: names.index(user.username))


def _comment_data(comment: Comment) -> dict:
    return {
        "comment": str(comment.pk), "asset": str(comment.asset_id), "parent": comment.parent_id,
        "author": comment.author.username if comment.author else None, "body": comment.body, "pin": comment.pin,
        **({"guest": guest_words(comment.guest)} if comment.guest else {}),
        "mentions": [user.username for user in comment.mentions.all()],
    }


@transaction.atomic
def comment_create(*, user, asset: Asset, body: str, pin=None, parent: Comment | None = None) -> Comment:
    """A comment, or a reply (to a top-level comment; a reply to a reply joins the same thread).
    Refused: an empty or too long body, a pin on a reply, past COMMENTS_PER_ASSET on the asset."""
    project_policy.check(user, asset.project, Action.COMMENT)
    return _comment_add(asset=asset, body=body, pin=pin, parent=parent, author=user)


@transaction.atomic
def comment_create_as_guest(*, guest: dict, asset: Asset, body: str, pin=None, parent: Comment | None = None) -> Comment:
    """A guest's comment through a review link (the link's permissions are checked by apps.guests):
    the same limits as members', recorded with the guest's name, email and link; no mentions."""
    return _comment_add(asset=asset, body=body, pin=pin, parent=parent, guest=guest)


def _comment_add(*, asset: Asset, body: str, pin, parent: Comment | None, author=None, guest: dict | None = None) -> Comment:
    body = _comment_limits(body)
    pin = comments.pin_checked(pin)
    if parent is not None:
        if parent.asset_id != asset.pk:
            raise ValidationFailed("A reply must be on the same asset as the comment it answers.", field="parent")
        if pin is not None:
            raise ValidationFailed("A reply cannot carry a pin; pin a new comment instead.", field="pin", code="invalid_pin")
        parent = parent.parent or parent
    mentioned = _mentions(asset.project, body) if author is not None else []
    Asset.objects.select_for_update(of=("self",)).filter(pk=asset.pk).first()  # the count below stays true
    count = Comment.objects.filter(asset=asset).count()
    if count >= COMMENTS_PER_ASSET:
        raise ValidationFailed(
            f"This asset already has {count} comments; the limit is {COMMENTS_PER_ASSET}. Resolve the thread and start from a new version.",
            field="body", code="too_many_comments", details={"limit": COMMENTS_PER_ASSET, "value": count},
        )
    comment = Comment.objects.create(asset=asset, parent=parent, author=author, guest=guest, body=body, pin=pin)
    comment.mentions.set(mentioned)
    event_emit(project=asset.project, event="comment.created", data=_comment_data(comment))
    send_on_commit(comment_created, Comment, comment=comment, mentioned=list(mentioned))
    return comment


@transaction.atomic
def comment_update(*, user, comment: Comment, body: str | None = None, resolved: bool | None = None) -> Comment:
    """Edit one's own comment's text; resolve or reopen a thread (anyone who may comment)."""
    project = comment.asset.project
    project_policy.check(user, project, Action.COMMENT)
    comment = Comment.objects.select_for_update(of=("self",)).select_related("asset__project", "author").get(pk=comment.pk)
    if body is not None:
        if comment.author_id != user.pk:
            raise NotAllowed("You can edit only your own comments.", code="permission_denied")
        comment.body = _comment_limits(body)
        comment.edited_at = timezone.now()
        comment.save(update_fields=["body", "edited_at"])
        comment.mentions.set(_mentions(project, comment.body))
    if resolved is not None:
        if comment.parent_id:
            raise ValidationFailed("Replies are resolved with their thread; resolve the comment they answer.", field="resolved")
        if resolved and not comment.is_resolved:
            _resolve(comment, user)
        elif not resolved and comment.is_resolved:
            comment.resolved_at, comment.resolved_by = None, None
            comment.save(update_fields=["resolved_at", "resolved_by"])
    return comment


def _resolve(comment: Comment, user) -> None:
    comment.resolved_at, comment.resolved_by = timezone.now(), user
    comment.save(update_fields=["resolved_at", "resolved_by"])
    event_emit(
        project=comment.asset.project, event="comment.resolved",
        data={"comment": str(comment.pk), "asset": str(comment.asset_id), "resolved_by": user.username if user else None,
              "addressed_in": str(comment.addressed_in.pk) if comment.addressed_in else None},
    )


def comments_resolve_addressed(*, asset: Asset, user) -> int:
    """Open comments that `asset`'s job was made to address (apply as edit) resolve once it is approved."""
    if not asset.generation_id:
        return 0
    open_ones = list(
        Comment.objects.select_for_update(of=("self",)).filter(addressed_by_id=asset.generation_id, resolved_at__isnull=True)
        .select_related("asset__project")
    )
    for comment in open_ones:
        _resolve(comment, user)
    return len(open_ones)


@transaction.atomic
def comment_apply(*, user, comment: Comment, prompt: str = "", mode: str = "crop", model: str | None = None):
    """Apply as edit: an open rectangle pin becomes a region edit of its asset, the comment (or the
    editor's rewording) its instruction. The comment records the job; approving what it makes
    resolves the comment (comments_resolve_addressed)."""
    from apps.generations.region_edits import region_edit_create  # generations sits above approvals' rules

    project_policy.check(user, comment.asset.project, Action.GENERATE)
    comment = Comment.objects.select_for_update(of=("self",)).select_related("asset__project", "asset__generation").get(pk=comment.pk)
    if comment.parent_id or not comments.is_rectangle(comment.pin):
        raise ValidationFailed("Only a comment pinned with a rectangle can be applied as an edit: the rectangle is the region.", field="pin", code="not_a_region")
    if comment.is_resolved:
        raise ValidationFailed("This comment is resolved; reopen it to apply it as an edit.", field="resolved", code="resolved")
    generation, _ = region_edit_create(
        user=user, asset=comment.asset, prompt=prompt.strip() or comment.body, region=comment.pin, mode=mode, model=model,
    )
    comment.addressed_by = generation
    comment.save(update_fields=["addressed_by"])
    return generation
