import uuid

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponse
from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.assets.models import Asset
from apps.core.exceptions import ApplicationError, NotFound
from apps.core.pages import page
from apps.projects import policy
from apps.projects.models import Membership
from apps.projects.pages import project_page
from apps.workflow import notifications, selectors, services
from apps.workflow.forms import AssignForm, NotificationSettingsForm
from apps.workflow.models import Assignment, Event, Notification

PER_PAGE = 50


def deciders(project):
    """Members who may decide reviews in `project`: whom one may assign."""
    from apps.approvals import policy as review_policy

    roles = review_policy.policy_for(project).decider_roles
    ids = Membership.objects.filter(project=project, role__in=roles, user__api_key__isnull=True).values("user")
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("username")


def assign_form(request, project, data=None, *, tz=None) -> AssignForm:
    return AssignForm(data, deciders=deciders(project), tz=tz or notifications.time_zone_of(request.user))


def _back(request, fallback: str) -> str:
    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else fallback


# --- notifications ------------------------------------------------------------------------------


@page
def notification_list(request):
    rows = Notification.objects.filter(user=request.user).select_related("project")
    if request.GET.get("unread") == "1":
        rows = rows.filter(read_at__isnull=True)
    listing = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    with timezone.override(notifications.time_zone_of(request.user)):  # times in the reader's zone, for this page only
        return render(request, "workflow/notifications.html", {
            "page_obj": listing, "unread": notifications.unread_count(request.user), "only_unread": request.GET.get("unread") == "1",
        })


def bell(request):
    """The header's bell, polled by every page (htmx) so the count follows without a reload. Signed
    out (a session that ended), 204: the page keeps what it shows instead of a login form in its header."""
    if not request.user.is_authenticated:
        return HttpResponse(status=204)
    return render(request, "workflow/_bell.html", {"show": True, "unread": notifications.unread_count(request.user),
                                                   "poll": getattr(settings, "BELL_POLL_SECONDS", 15)})


@page
def notification_open(request, notification_id):
    """Follow a notification to what it is about; it is read from then on."""
    item = Notification.objects.filter(pk=notification_id, user=request.user).first()
    if item is None:
        raise NotFound("Not found.", code="not_found")
    notifications.notifications_mark_read(user=request.user, ids=[item.pk])
    return redirect(item.url if url_has_allowed_host_and_scheme(item.url, allowed_hosts=None) else reverse("notifications"))


@page
@require_POST
def notification_read(request, notification_id):
    if not notifications.notifications_mark_read(user=request.user, ids=[notification_id]) and \
            not Notification.objects.filter(pk=notification_id, user=request.user).exists():
        raise NotFound("Not found.", code="not_found")
    return redirect(_back(request, reverse("notifications")))


@page
@require_POST
def notifications_read_all(request):
    done = notifications.notifications_mark_read(user=request.user)
    messages.success(request, f"Marked {done} notification{'s' if done != 1 else ''} read.")
    return redirect(_back(request, reverse("notifications")))


@page
def notification_settings(request):
    current = notifications.settings_for(request.user)
    initial = {"time_zone": current.time_zone, "digest_hour": current.digest_hour,
               **{f"event_{event}": delivery for event, delivery in current.deliveries().items()}}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        notifications.settings_update(user=request.user, time_zone=form.cleaned_data["time_zone"],
                                      digest_hour=form.cleaned_data["digest_hour"], events=form.events())
        messages.success(request, "Notification settings saved.")
        return redirect("notification-settings")
    return render(request, "workflow/settings.html", {"form": form, "events": [form[f"event_{event}"] for event in Event.values]},
                  status=400 if form.errors else 200)


@csrf_exempt  # the token in the URL is the credential; mail clients post here without a session (RFC 8058)
def unsubscribe(request, token):
    """One-click unsubscribe from one event type, without signing in: GET shows the button (link
    scanners that fetch links change nothing), POST turns that event type off."""
    read = notifications.unsubscribe_read(token)
    if read is None:
        return render(request, "refused.html", {"title": "Not found", "message": "This unsubscribe link is not valid."}, status=404)
    label = Event(read[1]).label
    if request.method == "POST":
        notifications.unsubscribe(token)
        return render(request, "workflow/unsubscribed.html", {"label": label, "done": True})
    return render(request, "workflow/unsubscribed.html", {"label": label, "done": False})


# --- assignments --------------------------------------------------------------------------------


@page
def assignment_list(request, project_id):
    project, rights = project_page(request, project_id)
    view = request.GET.get("view") or "waiting"
    if view not in selectors.VIEWS:
        view = "waiting"
    rows = selectors.assignments_for(project=project, user=request.user, view=view)[:200]
    waiting = selectors.waiting_assets(project=project, user=request.user).select_related("check_result", "generation").order_by("created_at")[:60] \
        if view == "waiting" else []
    with timezone.override(notifications.time_zone_of(request.user)):  # due dates in the reader's zone
        return render(request, "workflow/assignments.html", {
            "project": project, "rights": rights, "section": "assignments", "view": view, "views": selectors.VIEWS, "assignments": rows,
            "waiting": waiting, "counts": selectors.counts(project=project, user=request.user), "now": timezone.now(),
            "may_assign": policy.role_allows(rights.role, policy.Action.ASSIGN),
        })


@page
@require_POST
def assign(request, project_id):
    """Assign from the asset page, a gallery or review-queue selection, or a campaign stage."""
    project, rights = project_page(request, project_id, policy.Action.ASSIGN)
    back = _back(request, reverse("assignments", args=[project.pk]) + "?view=assigned_by_me")
    form = assign_form(request, project, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    campaign = assets = None
    stage = request.POST.get("stage", "")
    try:
        if request.POST.get("campaign"):
            from apps.campaigns.models import Campaign

            campaign = Campaign.objects.filter(pk=_uuid(request.POST["campaign"]), project=project).first()
            if campaign is None:
                raise NotFound("Not found.", code="not_found")
        else:
            ids = [value for value in (_uuid(v, quiet=True) for v in request.POST.getlist("assets")) if value]
            assets = list(Asset.objects.filter(project=project, pk__in=ids))
        users = list(deciders(project).filter(pk__in=form.cleaned_data["assignees"]))
        assignment = services.assignment_create(user=request.user, project=project, assignees=users, assets=assets, campaign=campaign,
                                                stage=stage, due_at=form.cleaned_data["due_at"], note=form.cleaned_data["note"])
    except NotFound:
        raise
    except ApplicationError as refusal:
        if refusal.status_code == 403:
            raise
        messages.error(request, refusal.message)
        return redirect(back)
    names = ", ".join(user.get_username() for user in users)
    count = assignment.items.values("asset").distinct().count()
    messages.success(request, f"Assigned {count} asset{'s' if count != 1 else ''} to {names}.")
    return redirect(back)


def _uuid(value, quiet=False):
    try:
        return uuid.UUID(str(value))
    except ValueError:
        if quiet:
            return None
        raise NotFound("Not found.", code="not_found") from None


@page
@require_POST
def assignment_remove(request, assignment_id):
    assignment = policy.object_for(request.user, Assignment.objects.all(), assignment_id, policy.Action.ASSIGN)
    services.assignment_delete(user=request.user, assignment=assignment)
    messages.success(request, "Assignment removed.")
    return redirect(_back(request, reverse("assignments", args=[assignment.project_id]) + "?view=assigned_by_me"))


