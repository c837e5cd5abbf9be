from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.approvals import policy as review_policy
from apps.approvals import selectors, services
from apps.approvals.forms import CommentApplyForm, CommentForm, DecisionForm
from apps.approvals.models import Comment, Review
from apps.assets.models import Asset
from apps.assets.selectors import asset_queryset, asset_source
from apps.checks.models import CheckStatus
from apps.checks.selectors import status_filter
from apps.core.counts import capped_count
from apps.core.exceptions import ApplicationError
from apps.core.pages import back_to, errors_into, id_parameter, is_htmx, page
from apps.projects import policy as project_policy
from apps.projects.pages import project_page
from apps.projects.policy import Action

DONE = {"approve": "Approved", "reject": "Rejected", "request_changes": "Changes requested"}
# What the asset's review status now means, in a sentence's words.
NOW = {"approved": "The asset is now approved.", "rejected": "The asset is now rejected.",
       "changes_requested": "The asset now waits for changes.", "pending": "The asset still needs more approvals."}


def decide_from_form(request, asset: Asset, form: DecisionForm, *, announce: bool = True) -> Review | None:
    """Record the posted decision, or leave the rule's refusal on the form. A role that may not
    decide gets the 403 page (raised by the service)."""
    if not form.is_valid():
        return None
    with errors_into(form):
        review = services.review_decide(user=request.user, asset=asset, decision=form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
                                        waiver=form.cleaned_data["waiver"] if form.cleaned_data["decision"] == "approve" else "")
        if announce:
            waived = f" Waived: {', '.join(review.waived_checks)}." if review.waived_checks else ""
            messages.success(request, f"{DONE[review.decision]}.{waived} {NOW[review.asset.review_status]}")
        return review
    return None


def undoable(request, value) -> Review | None:
    """The decision named by ?undo= when this person may still take it back (the toast's Undo)."""
    try:
        review = Review.objects.select_related("asset").filter(pk=int(value or 0), reviewer=request.user).first()
    except ValueError:
        return None
    if review is None or services.review_undo_refusal(user=request.user, review=review):
        return None
    return review


def _skipped(request) -> list:
    """The assets passed over this round (?skip=<id>, repeated)."""
    return [id_parameter(value, "skip") for value in request.GET.getlist("skip")]


@page
def review_queue(request, project_id):
    """One pending asset at a time, oldest first; decide with a click or a key."""
    project, rights = project_page(request, project_id)
    checks = status_filter(request.GET.get("checks"))
    campaign = id_parameter(request.GET["campaign"], "campaign") if request.GET.get("campaign") else None
    queue = selectors.review_queue(project=project, user=request.user, checks=checks, campaign=campaign)
    form = DecisionForm(request.POST or None)
    asset = None
    if request.method == "POST" and request.POST.get("action") == "approve_passing":
        # The whole queue this person sees (with its filter): the rule picks the passing ones.
        done, refused = services.approve_passing_message(services.approve_passing(user=request.user, assets=queue))
        messages.success(request, done)
        if refused:
            messages.error(request, refused)
        return redirect(request.get_full_path() if checks or campaign else request.path)
    if request.method == "POST":
        asset = queue.filter(pk=id_parameter(request.POST.get("asset"), "asset")).first()
        review = decide_from_form(request, asset, form, announce=False) if asset is not None else None
        if review is not None:
            # On to the next at once; the toast offers Undo for a few seconds (review_undo).
            query = f"?undo={review.pk}" + (f"&checks={checks}" if checks else "") + (f"&campaign={campaign}" if campaign else "")
            return redirect(reverse("review-queue", args=[project.pk]) + query)
    undo = undoable(request, request.GET.get("undo")) if request.method == "GET" else None
    if asset is None and request.GET.get("show"):  # just undone: that one again
        asset = queue.filter(pk=id_parameter(request.GET.get("show"), "show")).first()
    if asset is None:
        asset = queue.exclude(pk__in=_skipped(request)).first()
    skip_query = "&".join(f"skip={s}" for s in [*_skipped(request), asset.pk if asset else ""] if s)
    if checks:
        skip_query += f"&checks={checks}"
    if campaign:
        skip_query += f"&campaign={campaign}"
    return render(request, "approvals/queue.html", {
        "project": project, "rights": rights, "section": "review", "asset": asset, "form": form,
        "decisions": review_policy.decisions_allowed(request.user, asset, role=rights.role) if asset else {},
        **dict(zip(("waiting", "waiting_over"), capped_count(queue))), "skip_query": skip_query, "checks": checks, "check_statuses": CheckStatus.choices,
        "campaign": str(campaign or ""), "campaigns": project.campaigns.order_by("-created_at").values_list("pk", "name"),
        "generation": asset.generation if asset else None, "undo": undo, "undo_label": DONE[undo.decision] if undo else "",
        "source": asset_source(asset) if asset else None,
        "references": asset.generation.references.select_related("reference_image__entry").order_by("position") if asset and asset.generation else [],
    }, status=400 if form.errors else 200)


def comments_context(user, asset: Asset, *, form: CommentForm | None = None, next_url: str = "") -> dict:
    """What the comments panel shows: the threads with their pin numbers, and what this person may
    do (viewers read; reviewers, editors and owners comment; editors and owners apply)."""
    role = asset.my_role if hasattr(asset, "my_role") else project_policy.role_of(user, asset.project)
    return {
        "asset": asset, "comments": selectors.asset_comments(asset), "comment_form": form or CommentForm(), "next_url": next_url,
        "may_comment": project_policy.role_allows(role, Action.COMMENT), "may_apply": project_policy.role_allows(role, Action.GENERATE),
        "apply_form": CommentApplyForm(),
    }


def _comments_answer(request, asset: Asset, form: CommentForm | None = None, status: int = 200):
    """htmx: the panel again (a refused comment keeps its text and shows why); a plain post: back."""
    if is_htmx(request):
        context = comments_context(request.user, asset, form=form, next_url=request.POST.get("next", ""))
        return render(request, "approvals/_comments.html", context, status=status)
    if form is not None and form.errors:
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
    return redirect(back_to(request, reverse("asset-page", args=[asset.pk])))


@page
@require_POST
def comment_post(request, asset_id):
    """A comment, pinned or not, or a reply, from the asset page, the review queue or a cell."""
    asset = project_policy.object_for(request.user, asset_queryset(), asset_id, Action.COMMENT)
    form = CommentForm(request.POST)
    if form.is_valid():
        parent = None
        if form.cleaned_data["parent"]:
            parent = Comment.objects.filter(pk=form.cleaned_data["parent"], asset=asset).first()
            if parent is None:
                form.add_error(None, "The comment you answered is no longer on this asset.")
        if not form.errors:
            with errors_into(form, {"pin": "pin", "body": "body"}):
                comment = services.comment_create(user=request.user, asset=asset, body=form.cleaned_data["body"], pin=form.cleaned_data["pin"], parent=parent)
                if not is_htmx(request):
                    messages.success(request, "Reply added." if comment.parent_id else "Comment added.")
                return _comments_answer(request, asset)
    return _comments_answer(request, asset, form, status=400)


@page
@require_POST
def comment_resolve(request, comment_id):
    """Resolve or reopen a thread (resolved=1 / resolved=0)."""
    comment = project_policy.object_for(request.user, Comment.objects.select_related("asset"), comment_id, Action.COMMENT, project_path="asset__project")
    services.comment_update(user=request.user, comment=comment, resolved=request.POST.get("resolved") == "1")
    asset = asset_queryset().get(pk=comment.asset_id)
    return _comments_answer(request, asset)


@page
@require_POST
def comment_apply(request, comment_id):
    """Apply as edit from a page: the job page follows, where the result opens beside its source."""
    comment = project_policy.object_for(request.user, Comment.objects.select_related("asset"), comment_id, Action.GENERATE, project_path="asset__project")
    form = CommentApplyForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            job = services.comment_apply(user=request.user, comment=comment, prompt=form.cleaned_data["prompt"], mode=form.cleaned_data["mode"])
            messages.success(request, "Region edit queued: only the boxed part will change. Approving the result resolves the comment.")
            return redirect("generation-page", job.pk)
    for errors in form.errors.values():
        messages.error(request, " ".join(errors))
    return redirect(back_to(request, reverse("asset-page", args=[comment.asset_id])))


@page
@require_POST
def review_undo(request, review_id):
    """The Undo of the review queue's toast: takes the person's own decision back moments after
    making it, and shows that asset again. Refused (with why) past the window or after a later decision."""
    review = get_object_or_404(Review.objects.select_related("asset__project"), pk=review_id, reviewer=request.user)
    project = project_policy.project_for(request.user, review.asset.project_id)
    try:
        asset = services.review_undo(user=request.user, review=review)
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
        return redirect("review-queue", project.pk)
    messages.success(request, f"Undone: {DONE[review.decision].lower()} “{asset.display_title}” no longer counts; it waits for review again.")
    return redirect(reverse("review-queue", args=[project.pk]) + f"?show={asset.pk}")
