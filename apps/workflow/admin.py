"""The reviewers' admin learns about assignments: "Assignments" filters on the asset list (waiting
on me, overdue, assigned by me). Added to the asset admin from here, so approvals never names
this app (the higher app plugs into the lower one)."""

from django.contrib import admin
from django.utils import timezone

from apps.assets.models import Asset
from apps.workflow import selectors


class AssignmentFilter(admin.SimpleListFilter):
    title = "assignments"
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("waiting", "Waiting on me"), ("overdue", "Overdue"), ("by_me", "Assigned by me")]

    def queryset(self, request, queryset):
        items = selectors.open_items()
        if self.value() == "waiting":
            return queryset.filter(pk__in=items.filter(assignee=request.user).values("asset"))
        if self.value() == "overdue":
            return queryset.filter(pk__in=items.filter(assignment__due_at__lt=timezone.now()).values("asset"))
        if self.value() == "by_me":
            return queryset.filter(pk__in=items.filter(assignment__created_by=request.user).values("asset"))
        return queryset


asset_admin = admin.site._registry.get(Asset)
if asset_admin is not None and AssignmentFilter not in asset_admin.list_filter:
    asset_admin.list_filter = [AssignmentFilter, *asset_admin.list_filter]
