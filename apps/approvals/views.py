from django.contrib import messages
from django.shortcuts import redirect, render

from apps.approvals import policy as review_policy
from apps.approvals import selectors, services
from apps.approvals.forms import DecisionForm
from apps.assets.models import Asset
from apps.assets.selectors import asset_source
from apps.checks.models import CheckStatus
from apps.checks.selectors import status_filter
from apps.core.pages import errors_into, id_parameter, page
from apps.projects.pages import project_page

DONE = {"approve": "Approved", "reject": "Rejected", "request_changes": "Changes requested"}
# What the asset's review status now means, in a sentence's words.
NOW = {"approved": "The asset is now approved.", "rejected": "The asset is now rejected.",
       "changes_requested": "The asset now waits for changes.", "pending": "The asset still needs more approvals."}


def decide_from_form(request, asset: Asset, form: DecisionForm) -> bool:
    """Record the posted decision, or leave the rule's refusal on the form. A role that may not
    decide gets the 403 page (raised by the service)."""
    if not form.is_valid():
        return False
    with errors_into(form):
        review = services.review_decide(user=request.user, asset=asset, decision=form.cleaned_data["decision"], comment=form.cleaned_data["comment"],
                                        waiver=form.cleaned_data["waiver"] if form.cleaned_data["decision"] == "approve" else "")
        waived = f" Waived: {', '.join(review.waived_checks)}." if review.waived_checks else ""
        messages.success(request, f"{DONE[review.decision]}.{waived} {NOW[review.asset.review_status]}")
        return True
    return False


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
        if asset is not None and decide_from_form(request, asset, form):
            return redirect(request.get_full_path() if campaign else request.path)
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
        "waiting": queue.count(), "skip_query": skip_query, "checks": checks, "check_statuses": CheckStatus.choices,
        "campaign": str(campaign or ""), "campaigns": project.campaigns.order_by("-created_at").values_list("pk", "name"),
        "generation": asset.generation if asset else None,
        "source": asset_source(asset) if asset else None,
        "references": asset.generation.references.select_related("reference_image__entry").order_by("position") if asset and asset.generation else [],
    }, status=400 if form.errors else 200)
