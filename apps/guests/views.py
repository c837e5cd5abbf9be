"""Pages for review links: the owners' page to make and revoke them, and the guest's pages.

A guest has no account: the link's token in the address and the visit kept in the session are
all they hold, so every guest view starts from the link (guest_page) and looks an asset id up
among the link's own assets only. Guest pages are never indexed and never send the token on in
a Referer."""

from __future__ import annotations

from functools import wraps

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.approvals import policy as review_policy
from apps.approvals import services as approvals
from apps.approvals.models import Comment, Decision
from apps.assets.files import file_response
from apps.assets.models import ReviewStatus
from apps.assets.selectors import asset_source
from apps.core.exceptions import ApplicationError, NotAllowed, NotFound, ValidationFailed
from apps.core.pages import id_parameter, page
from apps.core.login_throttle import client_address
from apps.guests import policy, services
from apps.guests.models import ASSETS_PER_LINK, GuestAction, GuestVisit, ReviewLink
from apps.projects.pages import rights_for
from apps.projects.policy import role_of

SESSION_KEY = "guest_visits"


# --- owners: make and revoke links


class ReviewLinkForm(forms.Form):
    label = forms.CharField(max_length=100, help_text='Who it is for, e.g. "Agency Blau". Shown with every guest decision.')
    expires_in_days = forms.IntegerField(min_value=1, max_value=90, initial=14, label="Expires after (days)", help_text="At most 90.")
    actions = forms.MultipleChoiceField(choices=GuestAction.choices, required=False, widget=forms.CheckboxSelectMultiple,
                                        label="Guests may also", help_text="Viewing is always allowed.")
    passcode = forms.CharField(required=False, max_length=128, label="Passcode", help_text="Optional: send it separately from the link.")
    scope = forms.ChoiceField(label="What the link shows")


def _scope_choices(project, selected: list) -> list[tuple[str, str]]:
    from apps.campaigns.models import Stage

    choices = []
    if selected:
        choices.append(("selection", f"The {len(selected)} selected asset{'s' if len(selected) != 1 else ''}"))
    for campaign in project.campaigns.order_by("-created_at")[:50]:
        for value, label in Stage.choices:
            choices.append((f"campaign:{campaign.pk}:{value}", f"{campaign.name}: {label} stage"))
    return choices


def _selected(request) -> list[str]:
    raw = request.GET.getlist("assets") + request.GET.getlist("asset") + request.POST.getlist("assets")
    return [str(id_parameter(value, "assets")) for value in dict.fromkeys(raw)][:ASSETS_PER_LINK]


@page
def review_links(request, project_id):
    """The project's links (open and closed) and the form for a new one."""
    project = policy.project_for_sharing(request.user, project_id)
    role = role_of(request.user, project)
    selected = _selected(request)
    sharing = request.method == "POST" and request.POST.get("action") == "share"  # the gallery's "Share for review": a selection, no link yet
    form = ReviewLinkForm(request.POST if request.method == "POST" and not sharing else None)
    form.fields["scope"].choices = _scope_choices(project, selected)
    created_url, status = None, 200
    if request.method == "POST" and not sharing and form.is_valid():
        scope = form.cleaned_data["scope"]
        data = services.ReviewLinkInput(
            label=form.cleaned_data["label"], expires_in_days=form.cleaned_data["expires_in_days"], actions=form.cleaned_data["actions"],
            passcode=form.cleaned_data["passcode"],
        )
        if scope == "selection":
            data.assets = selected
        else:
            _, campaign, data.stage = scope.split(":", 2)
            data.campaign = id_parameter(campaign, "campaign")
        try:
            link, token = services.review_link_create(project=project, user=request.user, data=data)
        except ValidationFailed as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            created_url = request.build_absolute_uri(reverse("guest-review", args=[token]))
            messages.success(request, f'Review link "{link.label}" made. Copy it now: it is shown only once.')
            form = None
    if form is not None and form.errors:
        status = 400
    links = project.review_links.select_related("created_by", "revoked_by").prefetch_related("assets", "visits")
    return render(request, "guests/links.html", {
        "project": project, "rights": rights_for(request.user, project, role), "section": "review-links", "links": links, "form": form,
        "selected": selected, "created_url": created_url,
    }, status=status)


@page
@require_POST
def review_link_revoke(request, link_id):
    link = policy.link_for_sharing(request.user, link_id)
    services.review_link_revoke(link=link, user=request.user)
    messages.success(request, f'Review link "{link.label}" revoked: it answers "gone" from now on.')
    return redirect("review-links", link.project_id)


# --- guests


def guest_page(view):
    """Opens the link of the token (404 unknown, 410 revoked or expired: a plain page) and hands
    the view the link and the guest's visit (None before they said who they are)."""

    @wraps(view)
    def wrapper(request, token, *args, **kwargs):
        try:
            link = services.link_open(token)
            visit_id = request.session.get(SESSION_KEY, {}).get(str(link.pk))
            visit = GuestVisit.objects.select_related("link").filter(pk=visit_id, link=link).first() if visit_id else None
            response = view(request, link, visit, token, *args, **kwargs)
        except services.LinkGone as gone:
            response = render(request, "guests/gone.html", {"message": gone.message}, status=410)
        except ApplicationError as refusal:
            title = {403: "Not allowed", 404: "Not found", 429: "Slow down"}.get(refusal.status_code, "Not done")
            response = render(request, "guests/gone.html", {"title": title, "message": refusal.message}, status=refusal.status_code)
            if refusal.status_code == 429:
                response["Retry-After"] = str(getattr(refusal, "retry_after", 60))
        except Http404:
            response = render(request, "guests/gone.html", {"title": "Not found", "message": "This link does not show that."}, status=404)
        response["X-Robots-Tag"] = "noindex, nofollow"
        response["Referrer-Policy"] = "same-origin"  # never sends the token to another site; same-origin forms keep their Origin (CSRF)
        return response

    return wrapper


class GuestStartForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Shown with your comments and decisions.")
    email = forms.EmailField()
    passcode = forms.CharField(required=False, widget=forms.PasswordInput, max_length=128)


@guest_page
def guest_review(request, link, visit, token):
    """The link's front page: who are you (once), then its assets."""
    if request.method == "POST" and request.POST.get("action") == "start":
        services.guest_throttle(link, client_address(request))
        form = GuestStartForm(request.POST)
        if form.is_valid():
            try:
                visit = services.guest_visit_start(link=link, **form.cleaned_data)
            except ValidationFailed as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                request.session.setdefault(SESSION_KEY, {})[str(link.pk)] = visit.pk
                request.session.modified = True
                return redirect("guest-review", token)
        return render(request, "guests/start.html", {"link": link, "form": form, "token": token}, status=400)
    if visit is None:
        return render(request, "guests/start.html", {"link": link, "form": GuestStartForm(), "token": token})
    assets = policy.link_assets(link).order_by("created_at", "id")
    return render(request, "guests/review.html", {"link": link, "visit": visit, "assets": assets, "token": token})


def _asset(link: ReviewLink, asset_id):
    asset = policy.link_assets(link).select_related("project", "generation").filter(pk=asset_id).first()
    if asset is None:
        raise NotFound("This link does not show that.")
    return asset


def _require_visit(visit):
    if visit is None:
        raise NotAllowed("Say who you are on the link's first page before reviewing.", code="guest_unknown")


class GuestDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}), help_text=review_policy.comment_rule_text())


class GuestCommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comment")
    x = forms.FloatField(required=False, widget=forms.HiddenInput)
    y = forms.FloatField(required=False, widget=forms.HiddenInput)


@guest_page
def guest_asset(request, link, visit, token, asset_id):
    """One asset large, its previous version to compare, its pinned comments, and the forms the
    link allows."""
    _require_visit(visit)
    asset = _asset(link, asset_id)
    decision_form = GuestDecisionForm(request.POST if request.POST.get("action") == "decide" else None)
    comment_form = GuestCommentForm(request.POST if request.POST.get("action") == "comment" else None)
    status = 200
    if request.method == "POST":
        services.guest_throttle(link, client_address(request))
        action = request.POST.get("action")
        form = decision_form if action == "decide" else comment_form
        try:
            if action == "decide" and decision_form.is_valid():
                services.guest_may(link, GuestAction.DECIDE)
                review = approvals.review_decide_as_guest(guest=visit.as_guest(), asset=asset, decision=decision_form.cleaned_data["decision"],
                                                          comment=decision_form.cleaned_data["comment"])
                messages.success(request, f"Recorded: {review.get_decision_display().lower()}. Thank you.")
                return redirect("guest-asset", token, asset.pk)
            if action == "comment" and comment_form.is_valid():
                services.guest_may(link, GuestAction.COMMENT)
                x, y = comment_form.cleaned_data["x"], comment_form.cleaned_data["y"]
                pin = {"x": x, "y": y} if x is not None and y is not None else None
                approvals.comment_create_as_guest(guest=visit.as_guest(), asset=asset, body=comment_form.cleaned_data["body"], pin=pin)
                messages.success(request, "Comment added.")
                return redirect("guest-asset", token, asset.pk)
        except (ValidationFailed, ApplicationError) as error:
            if error.status_code in (403, 404, 429):
                raise
            form.add_error(error.field if error.field in form.fields else None, error.message)
        status = 400
    comments = list(Comment.objects.filter(asset=asset, parent__isnull=True).select_related("author").order_by("created_at", "id"))
    pinned = [c for c in comments if c.pin]
    for number, comment in enumerate(pinned, start=1):
        comment.number = number
    return render(request, "guests/asset.html", {
        "link": link, "visit": visit, "asset": asset, "token": token, "source": asset_source(asset), "comments": comments,
        "decision_form": decision_form, "comment_form": comment_form, "may_decide": link.allows(GuestAction.DECIDE),
        "may_comment": link.allows(GuestAction.COMMENT),
        "may_download": link.allows(GuestAction.DOWNLOAD) and asset.review_status == ReviewStatus.APPROVED,
        "decisions": asset.reviews.select_related("reviewer").order_by("-created_at", "-id")[:20],
    }, status=status)


@guest_page
def guest_image(request, link, visit, token, asset_id):
    """The asset's bytes, or its previous version's (?version=previous): the one image a link
    shows beside its own assets, for comparing."""
    _require_visit(visit)
    asset = _asset(link, asset_id)
    if request.GET.get("version") == "previous":
        asset = asset_source(asset)
        if asset is None:
            raise NotFound("This asset has no previous version.")
    return file_response(asset.file.name, mime_type=asset.mime_type, filename=f"{asset.pk}.{asset.file.name.rsplit('.', 1)[-1]}")


@guest_page
def guest_download(request, link, visit, token, asset_id):
    """Download after approval, where the link allows downloading."""
    _require_visit(visit)
    asset = _asset(link, asset_id)
    services.guest_may(link, GuestAction.DOWNLOAD)
    if asset.review_status != ReviewStatus.APPROVED:
        raise NotAllowed(f"Only approved assets can be downloaded; this one is {asset.get_review_status_display().lower()}.",
                         code="not_approved")
    response = file_response(asset.file.name, mime_type=asset.mime_type, filename=f"{asset.pk}.{asset.file.name.rsplit('.', 1)[-1]}")
    if response.has_header("Content-Disposition"):
        response["Content-Disposition"] = response["Content-Disposition"].replace("inline", "attachment", 1)
    return response
