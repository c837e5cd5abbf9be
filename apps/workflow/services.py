"""Assignments (create, change, remove, completion as people decide) and due-date reminders.

Rules, one place each: who may assign (`policy.Action.ASSIGN`: owners and editors), who may be
assigned (members whose role may decide reviews under the project's policy), which work is open
(`selectors.open_items`), which assignees still owe a decision (`selectors.undecided_assignees`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.approvals import policy as review_policy
from apps.assets.models import Asset, ReviewStatus
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import ValidationFailed
from apps.projects import policy
from apps.projects.models import Membership
from apps.workflow import selectors
from apps.workflow.models import MAX_ASSETS_PER_ASSIGNMENT, MAX_ASSIGNEES, NOTE_MAX_CHARS, Assignment, AssignmentItem, Event, Notification, Reminder
from apps.workflow.notifications import notify, time_zone_of

DUE_SOON = timedelta(hours=24)


def _assignees_checked(project, assignees) -> list:
    users = list(dict.fromkeys(assignees))
    if not users:
        raise ValidationFailed("Choose at least one assignee: a member who may decide reviews.", field="assignees")
    if len(users) > MAX_ASSIGNEES:
        raise ValidationFailed(f"An assignment has at most {MAX_ASSIGNEES} assignees; {len(users)} were chosen.", field="assignees",
                               details={"limit": MAX_ASSIGNEES, "value": len(users)})
    roles = dict(Membership.objects.filter(project=project, user__in=users).values_list("user_id", "role"))
    for user in users:
        role = roles.get(user.pk)
        if role is None:
            raise ValidationFailed(f"{user.get_username()} is not a member of this project.", field="assignees")
        if not review_policy.role_may_decide(project, role):
            deciders = ", ".join(review_policy.policy_for(project).decider_roles)
            raise ValidationFailed(f"{user.get_username()} is {role}, a role that may not decide reviews here; assign one of: {deciders}.",
                                   field="assignees")
    return users


def _due_checked(due_at, *, now=None) -> datetime | None:
    if due_at is None:
        return None
    if timezone.is_naive(due_at):
        raise ValidationFailed("due_at needs a time zone (e.g. 2026-12-24T17:00:00+01:00).", field="due_at")
    if due_at <= (now or timezone.now()):
        raise ValidationFailed(f"due_at {due_at:%Y-%m-%d %H:%M %Z} is in the past; pick a later date and time.", field="due_at")
    return due_at


def _note_checked(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValidationFailed(f"The note is {len(note)} characters; the limit is {NOTE_MAX_CHARS}.", field="note",
                               details={"limit": NOTE_MAX_CHARS, "value": len(note)})
    return note


def stage_outputs(campaign, stage: str) -> list[Asset]:
    """A campaign stage's current outputs (what assigning the stage assigns)."""
    from apps.campaigns.models import Stage
    from apps.campaigns.selectors import campaign_state, stage_assets

    if stage not in Stage.values:
        raise ValidationFailed(f"stage {str(stage)[:30]!r} is not a campaign stage; one of {', '.join(Stage.values)}.", field="stage")
    return stage_assets(campaign_state(campaign), stage)


def _items_add(assignment: Assignment, assets, assignees) -> int:
    rows = [AssignmentItem(assignment=assignment, asset=asset, assignee=user) for asset in assets for user in assignees
            if asset.review_status == ReviewStatus.PENDING]
    before = assignment.items.count()
    AssignmentItem.objects.bulk_create(rows, ignore_conflicts=True)  # parts it already has stay as they are
    return assignment.items.count() - before


def _about(assignment: Assignment) -> str:
    return f"assignment:{assignment.pk}"


def _done_read(assignment: Assignment, people, now) -> None:
    """What asked these people to act on the assignment is read once nothing of theirs is open there."""
    owing = set(selectors.open_items().filter(assignment=assignment).values_list("assignee_id", flat=True))
    done = [pk for pk in people if pk not in owing]
    Notification.objects.filter(user_id__in=done, about=_about(assignment), read_at__isnull=True).update(read_at=now)


def _in_zone_of(user, moment) -> str:
    """A time as the person reads it: in their time zone, named."""
    zone = time_zone_of(user)
    return f"{timezone.localtime(moment, zone):%Y-%m-%d %H:%M} {zone.key}"


def _tell_assigned(assignment: Assignment, users, actor) -> None:
    count = assignment.items.values("asset").distinct().count()
    what = f"{assignment.campaign.name} · {assignment.stage}" if assignment.campaign_id else f"{count} asset{'s' if count != 1 else ''}"
    for user in users:
        if actor is not None and user.pk == actor.pk:
            continue
        due = f", due {_in_zone_of(user, assignment.due_at)}" if assignment.due_at else ""
        notify(user=user, event=Event.ASSIGNED, project=assignment.project, url=selectors.assignment_url(assignment), about=_about(assignment),
               text=f"{actor.get_username() if actor else 'Someone'} asked you to review {what} in {assignment.project.name}{due}.")


@transaction.atomic
def assignment_create(*, user, project, assignees, assets=None, campaign=None, stage: str = "", due_at=None, note: str = "") -> Assignment:
    """Assign deciding members to some assets, or to a campaign stage's outputs (as they are now,
    and those the stage adds later), with an optional due date. Audited; the assignees are told."""
    policy.check(user, project, policy.Action.ASSIGN)
    if (assets is None) == (campaign is None):
        raise ValidationFailed("Send either assets (a list of asset ids) or campaign and stage.", field="assets")
    if campaign is not None:
        if campaign.project_id != project.pk:
            raise ValidationFailed("That campaign is not in this project.", field="campaign")
        assets = stage_outputs(campaign, stage)
    else:
        assets = list(assets)
        if not assets:
            raise ValidationFailed("Choose at least one asset to assign.", field="assets")
        if len(assets) > MAX_ASSETS_PER_ASSIGNMENT:
            raise ValidationFailed(f"Assign at most {MAX_ASSETS_PER_ASSIGNMENT} assets at once; {len(assets)} were chosen.", field="assets",
                                   details={"limit": MAX_ASSETS_PER_ASSIGNMENT, "value": len(assets)})
        if any(asset.project_id != project.pk for asset in assets):
            raise ValidationFailed("Every asset must be in this project.", field="assets")
    users = _assignees_checked(project, assignees)
    assignment = Assignment.objects.create(project=project, campaign=campaign, stage=stage if campaign else "", due_at=_due_checked(due_at),
                                           note=_note_checked(note), created_by=user)
    assignment.assignees.set(users)
    _items_add(assignment, assets, users)
    audit_record(project=project, actor=user, action=AuditAction.ASSIGNMENT_CREATED, target=str(assignment),
                 after=_describe(assignment))
    _tell_assigned(assignment, users, user)
    return assignment


def _describe(assignment: Assignment) -> dict:
    return {
        "assignment": str(assignment.pk), "assignees": sorted(assignment.assignees.values_list("username", flat=True)),
        "due_at": assignment.due_at.isoformat() if assignment.due_at else None,
        "assets": assignment.items.values("asset").distinct().count(),
        **({"campaign": str(assignment.campaign_id), "stage": assignment.stage} if assignment.campaign_id else {}),
    }


@transaction.atomic
def assignment_update(*, user, assignment: Assignment, assignees=None, due_at=..., note=None) -> Assignment:
    """Change the due date (None removes it), the note, or the assignees (new ones get the open
    assets, removed ones' open parts go)."""
    assignment = Assignment.objects.select_for_update(of=("self",)).select_related("project", "campaign").get(pk=assignment.pk)
    policy.check(user, assignment.project, policy.Action.ASSIGN)
    before = _describe(assignment)
    if due_at is not ...:
        assignment.due_at = _due_checked(due_at)
    if note is not None:
        assignment.note = _note_checked(note)
    assignment.save()
    added = []
    if assignees is not None:
        users = _assignees_checked(assignment.project, assignees)
        current = set(assignment.assignees.values_list("pk", flat=True))
        added = [u for u in users if u.pk not in current]
        removed = current - {u.pk for u in users}
        assets = list(Asset.objects.filter(pk__in=assignment.items.values("asset")))  # before the removed ones' parts go
        assignment.assignees.set(users)
        assignment.items.filter(assignee_id__in=removed, done_at__isnull=True).delete()
        _items_add(assignment, assets, added)
        if assignment.campaign_id:
            _items_add(assignment, stage_outputs(assignment.campaign, assignment.stage), users)
    audit_record(project=assignment.project, actor=user, action=AuditAction.ASSIGNMENT_CHANGED, target=str(assignment),
                 before=before, after=_describe(assignment))
    _tell_assigned(assignment, added, user)
    assignment_settle(assignment=assignment)
    return assignment


@transaction.atomic
def assignment_delete(*, user, assignment: Assignment) -> None:
    policy.check(user, assignment.project, policy.Action.ASSIGN)
    audit_record(project=assignment.project, actor=user, action=AuditAction.ASSIGNMENT_DELETED, target=str(assignment),
                 before=_describe(assignment))
    assignment.delete()


def assignment_settle(*, assignment: Assignment, actor=None) -> bool:
    """Mark the assignment complete once no item is open: a conditional write, so it is completed
    (and audited) once however many decisions finish it at the same time."""
    if selectors.open_items().filter(assignment=assignment).exists():
        return False
    if not Assignment.objects.filter(pk=assignment.pk, completed_at__isnull=True).update(completed_at=timezone.now()):
        return False
    audit_record(project=assignment.project, actor=actor, action=AuditAction.ASSIGNMENT_COMPLETED, target=str(assignment),
                 after={"assignment": str(assignment.pk)})
    return True


@transaction.atomic
def assignment_items_decided(*, asset: Asset, reviewer) -> list[Assignment]:
    """After a decision on `asset`: the deciding assignee's parts are done (a key's decision counts
    as its maker's), and everyone's once the asset is no longer pending. Each assignment touched is
    locked, so two assignees deciding at once complete it once. Returns those completed now."""
    assignment_ids = list(AssignmentItem.objects.filter(asset=asset, done_at__isnull=True).values_list("assignment_id", flat=True).distinct())
    if not assignment_ids:
        return []
    now = timezone.now()
    completed = []
    status = Asset.objects.filter(pk=asset.pk).values_list("review_status", flat=True).first()
    for assignment in Assignment.objects.select_for_update(of=("self",)).filter(pk__in=assignment_ids).select_related("project").order_by("pk"):
        items = AssignmentItem.objects.filter(assignment=assignment, asset=asset, done_at__isnull=True)
        if status != ReviewStatus.PENDING:
            people = set(items.values_list("assignee_id", flat=True))
        else:  # a guest's decision through a review link (no reviewer) completes nobody's part
            people = review_policy.same_person(reviewer) if reviewer is not None else set()
        items.filter(assignee__in=people).update(done_at=now)
        _done_read(assignment, people, now)
        if assignment_settle(assignment=assignment, actor=reviewer):
            completed.append(assignment)
    return completed


def assignment_stage_grew(*, stage_run) -> int:
    """A campaign stage finished: its open assignments take the new outputs."""
    added = 0
    for assignment in Assignment.objects.filter(campaign=stage_run.campaign, stage=stage_run.stage, completed_at__isnull=True):
        with transaction.atomic():
            added += _items_add(assignment, stage_outputs(assignment.campaign, assignment.stage), list(assignment.assignees.all()))
    return added


# --- reminders ----------------------------------------------------------------------------------


def _points(assignment: Assignment, now: datetime) -> list[tuple[str, str]]:
    """The reminder points of `assignment` that have come by `now`, as (event, key); keyed by the due
    date, so moving it re-arms them. Only the latest point is sent after a gap (a scheduler down)."""
    due = assignment.due_at
    stamp = due.strftime("%Y%m%dT%H%M")
    if now >= due + timedelta(days=1):
        return [(Event.OVERDUE, f"{stamp}+{(now - due).days}")]
    if now >= due:
        return [(Event.DUE, stamp)]
    if now >= due - DUE_SOON:
        return [(Event.DUE_SOON, stamp)]
    return []


REMINDER_TEXT = {
    Event.DUE_SOON: "Due within 24 hours",
    Event.DUE: "Due now",
    Event.OVERDUE: "Overdue",
}


def reminders_run(*, now: datetime | None = None) -> int:
    """Remind each assignee who has not decided, once per point (a conditional insert per assignee
    and point). Returns how many reminders were sent here."""
    now = now or timezone.now()
    sent = 0
    due_soon = Assignment.objects.filter(completed_at__isnull=True, due_at__isnull=False, due_at__lte=now + DUE_SOON).select_related("project", "campaign")
    for assignment in due_soon:
        for event, key in _points(assignment, now):
            for user in selectors.undecided_assignees(assignment):
                try:
                    with transaction.atomic():
                        Reminder.objects.create(assignment=assignment, assignee=user, event=event, key=key)
                        open_count = selectors.open_items().filter(assignment=assignment, assignee=user).count()
                        notify(user=user, event=event, project=assignment.project, url=selectors.assignment_url(assignment), about=_about(assignment),
                               text=f"{REMINDER_TEXT[event]}: {open_count} asset{'s' if open_count != 1 else ''} waiting for your decision in "
                                    f"{assignment.project.name} (due {_in_zone_of(user, assignment.due_at)}).")
                        sent += 1
                except IntegrityError:
                    continue  # another scheduler reminded them at this point
    return sent

