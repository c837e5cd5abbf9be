"""The bell in every page's header, and the assignment pieces other apps' pages include."""

from django import template
from django.conf import settings
from django.utils import timezone

from apps.workflow import notifications, selectors

register = template.Library()


@register.inclusion_tag("workflow/_bell.html", takes_context=True)
def notification_bell(context):
    user = context["request"].user if "request" in context else None
    if user is None or not user.is_authenticated:
        return {"show": False}
    return {"show": True, "unread": notifications.unread_count(user), "poll": getattr(settings, "BELL_POLL_SECONDS", 15)}


@register.inclusion_tag("workflow/_counts.html", takes_context=True)
def assignment_counts(context, project):
    user = context["request"].user
    return {"project": project, "counts": selectors.counts(project=project, user=user)}


@register.inclusion_tag("workflow/_assign.html", takes_context=True)
def assign_panel(context, project, asset=None, campaign=None, stage="", form_id="", title="Assign reviewers"):
    """An assign form for one asset (assets=[asset]), a selection (form_id: the selection form
    whose checked `assets` it sends), or a campaign stage; with the open assignments it already has."""
    from apps.projects import policy
    from apps.workflow.views import assign_form

    request = context["request"]
    assets = [asset] if asset is not None else []
    rights = context.get("rights")
    may = rights is not None and policy.role_allows(rights.role, policy.Action.ASSIGN)
    existing = []
    if campaign is not None:
        existing = _once_per_request(request, ("stages", campaign.pk), lambda: selectors.stage_assignments(campaign)).get(stage, [])
    elif assets and len(assets) == 1:
        existing = [a for a in selectors.asset_assignments(assets[0]) if a.completed_at is None]
    tz = _once_per_request(request, "tz", lambda: notifications.time_zone_of(request.user))
    for assignment in existing:
        # naive, so the date filter shows it as it is (it would turn an aware value back to the server's zone)
        assignment.due_local = timezone.localtime(assignment.due_at, tz).replace(tzinfo=None) if assignment.due_at else None
    return {
        "may_assign": may, "project": project, "assets": assets or [], "campaign": campaign, "stage": stage, "form_id": form_id,
        "form": _once_per_request(request, ("form", project.pk), lambda: assign_form(request, project, tz=tz)) if may else None, "existing": existing, "title": title, "tz": tz.key,
        "next": request.get_full_path(), "suffix": stage or (str(assets[0].pk)[:8] if assets else "sel"),
    }


def _once_per_request(request, key, compute):
    """A campaign page draws the panel once per stage: its assignments, the person's time zone and
    the deciders to choose from are read once for the page, not once per panel (the board redraws
    itself every 2 s while jobs run). The form is only read by the template, never bound."""
    memo = request.__dict__.setdefault("_assign_panel_memo", {})
    if key not in memo:
        memo[key] = compute()
    return memo[key]


@register.filter
def in_time_zone_of(value, user):
    return timezone.localtime(value, notifications.time_zone_of(user)) if value else value
