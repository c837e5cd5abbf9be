"""Reading assignments: open work, "waiting on me", overdue, assigned by me, counts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from apps.assets.models import ReviewStatus
from apps.workflow.models import Assignment, AssignmentItem

VIEWS = {"waiting": "Waiting on me", "overdue": "Overdue", "assigned_by_me": "Assigned by me", "all": "All open"}


def open_items() -> QuerySet[AssignmentItem]:
    """Parts not done: the assignee has not decided and the asset still waits for review."""
    return AssignmentItem.objects.filter(done_at__isnull=True, asset__review_status=ReviewStatus.PENDING)


def undecided_assignees(assignment: Assignment) -> list:
    """The assignees who still owe a decision on the assignment (the only ones reminded)."""
    ids = open_items().filter(assignment=assignment).values("assignee")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("pk"))


def assignment_url(assignment: Assignment) -> str:
    return reverse("assignments", args=[assignment.project_id]) + "?view=waiting"


def assignments_for(*, project, user, view: str = "all", now=None) -> QuerySet[Assignment]:
    """A project's assignments seen through one of VIEWS, each with `open_count` and `my_open`."""
    now = now or timezone.now()
    rows = Assignment.objects.filter(project=project).select_related("created_by", "campaign").prefetch_related("assignees")
    mine_open = open_items().filter(assignment=OuterRef("pk"), assignee=user)
    rows = rows.annotate(
        open_count=Count("items", filter=Q(items__done_at__isnull=True, items__asset__review_status=ReviewStatus.PENDING), distinct=True),
        my_open=Exists(mine_open),
    )
    if view == "waiting":
        rows = rows.filter(my_open=True)
    elif view == "overdue":
        rows = rows.filter(completed_at__isnull=True, due_at__lt=now)
    elif view == "assigned_by_me":
        rows = rows.filter(created_by=user)
    elif view == "all":
        rows = rows.filter(completed_at__isnull=True)
    return rows.order_by("due_at", "-created_at")


def waiting_assets(*, project, user):
    """Assets assigned to `user` that still wait for their decision."""
    from apps.assets.models import Asset

    return Asset.objects.filter(project=project, pk__in=open_items().filter(assignee=user).values("asset"))


def overdue_assets(*, project, now=None):
    from apps.assets.models import Asset

    now = now or timezone.now()
    return Asset.objects.filter(project=project, pk__in=open_items().filter(assignment__due_at__lt=now).values("asset"))


def counts(*, project, user, now=None) -> dict:
    """The project home's numbers."""
    now = now or timezone.now()
    return {
        "waiting": waiting_assets(project=project, user=user).count(),
        "overdue": overdue_assets(project=project, now=now).count(),
        "assigned_by_me": Assignment.objects.filter(project=project, created_by=user, completed_at__isnull=True).count(),
    }


def stage_assignments(campaign) -> dict[str, list[Assignment]]:
    """Open assignments of each stage of a campaign (the campaign page shows assignees and due date)."""
    found: dict[str, list[Assignment]] = {}
    for assignment in Assignment.objects.filter(campaign=campaign, completed_at__isnull=True).prefetch_related("assignees").order_by("due_at"):
        found.setdefault(assignment.stage, []).append(assignment)
    return found


def asset_assignments(asset) -> list[Assignment]:
    return list(Assignment.objects.filter(items__asset=asset).distinct().prefetch_related("assignees").select_related("created_by"))
