"""Campaign pages: the new-campaign form with its live summary, the grid deciders work by
keyboard, the side-by-side choice among a cell's variations. Rules stay in services and policies."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from rest_framework.exceptions import PermissionDenied as DRFPermissionDenied

from apps.approvals import policy as review_policy
from apps.approvals import services as review_services
from apps.assets.models import Asset
from apps.campaigns import selectors, services, stages
from apps.campaigns.forms import (
    CampaignForm,
    GridDecisionForm,
    StageForm,
    form_field_for,
    summary_figures,
)
from apps.campaigns.models import SOURCE, Cell
from apps.checks.models import CheckStatus
from apps.checks.selectors import status_filter
from apps.core.exceptions import ApplicationError, NotAllowed
from apps.core.pages import id_parameter, page
from apps.gemini import catalogue
from apps.generations.models import Delivery
from apps.library import selectors as library_selectors
from apps.library.models import EntryKind
from apps.projects import policy
from apps.projects.pages import project_page, rights_for
from apps.projects.policy import Action


def _campaign(request, campaign_id, action=Action.VIEW):
    campaign = policy.object_for(request.user, selectors.campaign_queryset(), campaign_id, action)
    return campaign, rights_for(request.user, campaign.project, campaign.my_role)


@page
def campaign_list(request, project_id):
    project, rights = project_page(request, project_id)
    return render(request, "campaigns/list.html", {
        "project": project, "rights": rights, "section": "campaigns", "campaigns": selectors.campaign_progress(project=project),
    })


@page
def campaign_new(request, project_id):
    project, rights = project_page(request, project_id, Action.GENERATE)
    products = library_selectors.entry_list(project=project, kind=EntryKind.OBJECT)
    characters = library_selectors.entry_list(project=project, kind=EntryKind.CHARACTER)
    from apps.placements.selectors import placements_for

    form = CampaignForm(request.POST or None, products=products, characters=characters, placements=placements_for(project))
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_create(project=project, user=request.user, data=form.to_input())
        except ApplicationError as refusal:
            field = form_field_for(refusal.field)
            form.add_error(field if field in form.fields else None, refusal.message)
        else:
            messages.success(request, f"Campaign “{campaign.name}” created. Run the drafts when you are ready.")
            return redirect("campaign-page", campaign.pk)
    return render(request, "campaigns/new.html", {
        "project": project, "rights": rights, "section": "campaigns", "form": form,
        "products": products, "characters": characters,
    }, status=400 if form.errors else 200)


@page
@require_POST
def campaign_summary(request, project_id):
    """The live summary beside the form: cells, drafts, translations, finals and each stage's estimate,
    from the same figures the API answers with."""
    project_page(request, project_id)
    figures = summary_figures(request.POST)
    return render(request, "campaigns/_summary.html", {**figures, "max_jobs": services.MAX_JOBS_PER_BATCH})


def _own_work(states, user, project) -> set:
    """Ids of the campaign's images this person may not approve under the four-eyes rule (they
    made them); empty when the rule is off. Reads the jobs campaign_state already loaded."""
    if not review_policy.policy_for(project).four_eyes:
        return set()
    person = review_policy.same_person(user)
    made = {job.generation_id: job.generation.created_by_id for s in states for stage in stages.STAGES
            for item, _ in stage.made(s) for job in item.jobs}
    for s in states:
        for job in s.drafts.jobs:
            made[job.generation_id] = job.generation.created_by_id
    assets = [a for s in states for a in s.draft_assets] + [
        item.asset for s in states for v in s.versions for item in (v.made, v.final) if item.asset is not None]
    return {a.pk for a in assets if made.get(a.generation_id) in person}


def _copy_for(campaign, language: str) -> str:
    """The headline a version should carry, for the quick look beside the image."""
    if language == SOURCE:
        return campaign.copy
    if campaign.copy_by_language.get(language):
        return campaign.copy_by_language[language]
    name = catalogue.LANGUAGES.get(language, language)
    return f"“{campaign.copy}” in {name}" if campaign.copy else ""


def _board_context(request, campaign, rights):
    states = selectors.campaign_state(campaign)
    checks = status_filter(request.GET.get("checks"))
    next_runs = services.campaign_next_runs(campaign, states)  # also for those who only wait for a run
    own = _own_work(states, request.user, campaign.project) if rights.review else set()
    grid = selectors.grid_filtered(selectors.campaign_grid(campaign, states), checks)
    for row in grid.rows:
        for tile in row.tiles:
            tile.copy = _copy_for(campaign, tile.language)
    waiting = [t.asset.pk for row in grid.rows for t in row.tiles if t.asset is not None and t.asset.review_status == "pending"]
    # Decide controls only for those who may decide something here: a decider whose four-eyes rule
    # leaves them nothing waiting to approve gets a sentence instead of keys that are refused.
    may_decide = rights.review and (not own or not waiting or any(pk not in own for pk in waiting))
    overview = selectors.campaign_overview(
        campaign, states, next_runs, may_run=rights.generate, may_decide=may_decide,
        in_batch=selectors.jobs_waiting_in_batch(campaign),
    )
    return {
        "campaign": campaign, "project": campaign.project, "rights": rights, "section": "campaigns",
        "grid": grid, "overview": overview, "steps": overview.steps, "own": own, "may_decide": may_decide,
        "checks": checks, "check_statuses": CheckStatus.choices, "last_run": selectors.stage_run_latest(campaign),
        # The board refreshes itself while jobs run or brand checks of what waits are still running.
        "in_flight": selectors.campaign_in_flight(states) or overview.checking > 0, "spent": selectors.campaign_spent(campaign),
        "estimate": sum(size.estimate_usd for size in selectors.campaign_stage_sizes(campaign, cells=len(states))),
        "decision_form": GridDecisionForm(), "batch_turnaround": catalogue.BATCH_TURNAROUND,
    }


@page
def campaign_page(request, campaign_id):
    campaign, rights = _campaign(request, campaign_id)
    template = "campaigns/_board.html" if request.GET.get("part") == "board" else "campaigns/campaign.html"
    return render(request, template, _board_context(request, campaign, rights))


@page
@require_POST
def campaign_run(request, campaign_id):
    campaign, _ = _campaign(request, campaign_id, Action.GENERATE)
    form = StageForm(request.POST)
    if not form.is_valid():
        raise Http404("No such stage.")
    try:
        result = services.campaign_run(
            campaign=campaign, user=request.user, stage=form.cleaned_data["stage"],
            delivery=form.cleaned_data["delivery"] or Delivery.INTERACTIVE,
        )
    except ApplicationError as refusal:
        messages.error(request, refusal.message)
    else:
        if not result.jobs_created:  # a run that made jobs is described on the board, until they are done
            messages.info(request, f"{stages.get_stage(result.stage).label}: nothing to do; every ready item has a job or a standing image.")
    return redirect("campaign-page", campaign.pk)


@page
@require_POST
def campaign_approve_passing(request, campaign_id):
    """"Approve all that pass" for one stage: exactly its pending outputs whose checks passed; with
    scope=all ("approve all waiting", after looking at them on the grid) every pending output, the
    review policy still refusing what it refuses."""
    campaign, rights = _campaign(request, campaign_id)
    form = StageForm(request.POST)
    if not form.is_valid():
        raise Http404("No such stage.")
    if not rights.review:
        raise NotAllowed(f"Your role ({rights.role}) may not decide reviews in this project.", code="permission_denied")
    everything = request.POST.get("scope") == "all"
    outcome = review_services.approve_passing(
        user=request.user, assets=selectors.stage_approvable(selectors.campaign_state(campaign), form.cleaned_data["stage"]),
        only_passing=not everything,
    )
    done, refused = review_services.approve_passing_message(outcome)
    if everything:
        done = f"Approved {outcome['approved']} waiting image{'s' if outcome['approved'] != 1 else ''}."
    messages.success(request, f"{form.cleaned_data['stage'].capitalize()}: {done}")
    if refused:
        messages.error(request, refused)
    return redirect("campaign-page", campaign.pk)


@page
@require_POST
def campaign_decide(request, campaign_id):
    """A decision from the grid's keys or tap buttons; answers the refreshed board (or the refusal,
    400, with its short reason in `data-refused` for the status line)."""
    campaign, rights = _campaign(request, campaign_id)
    form = GridDecisionForm(request.POST)
    status, refused, note = 200, "", ""
    if form.is_valid():
        asset = Asset.objects.filter(pk=form.cleaned_data["asset"], generation__campaign_job__cell__campaign=campaign).select_related("project", "generation").first()
        if asset is None:
            raise Http404("No such asset in this campaign.")
        decision = form.cleaned_data["decision"]
        try:
            review_services.review_decide(user=request.user, asset=asset, decision=decision, comment=form.cleaned_data["comment"],
                                          waiver=form.cleaned_data["waiver"] if decision == "approve" else "")
        except (ApplicationError, DRFPermissionDenied) as refusal:
            form.add_error(None, str(getattr(refusal, "message", None) or refusal.detail))
            status = 400
            refused = ("four-eyes rule" if review_policy.four_eyes_forbids(request.user, asset, decision)
                       else getattr(refusal, "code", "") .replace("_", " ") or "refused")
        else:
            note = _drafts_not_shown(asset, decision)
    else:
        status = 400
        refused = "incomplete"
    context = _board_context(request, campaign, rights)
    context["decision_form"] = form if status == 400 else GridDecisionForm()
    context["refused"], context["decision_note"] = refused, note
    return render(request, "campaigns/_board.html", context, status=status)


def _drafts_not_shown(asset, decision) -> str:
    """After approving a draft from the grid: how many sibling drafts the grid did not show."""
    job = getattr(asset.generation, "campaign_job", None) if asset.generation_id else None
    if job is None or job.stage != "drafts" or decision != "approve":
        return ""
    others = Asset.objects.filter(generation__campaign_job__cell_id=job.cell_id, generation__campaign_job__stage="drafts").exclude(pk=asset.pk).count()
    if not others:
        return ""
    return (f"Approved the draft shown; the cell’s {others} other draft{'s' if others != 1 else ''} (not shown) "
            f"{'are' if others != 1 else 'is'} marked not chosen. Open the cell to compare.")


@page
def cell_page(request, campaign_id, cell_id):
    """A cell's variations side by side, to choose the one its versions are made from."""
    campaign, rights = _campaign(request, campaign_id)
    cell = Cell.objects.select_related("product").filter(campaign=campaign, pk=cell_id).first()
    if cell is None:
        raise Http404("No such cell in this campaign.")
    if request.method == "POST":
        asset_id = id_parameter(request.POST.get("asset"), "asset")
        try:
            choice = services.cell_choose(user=request.user, cell=cell, asset_id=asset_id)
        except ApplicationError as refusal:
            messages.error(request, refusal.message)
        else:
            others = f" The other {choice.not_chosen} draft{'s are' if choice.not_chosen != 1 else ' is'} marked not chosen." if choice.not_chosen else ""
            if choice.approved:
                messages.success(request, f"Chosen and approved.{others} Its translations are made when the localise stage runs.")
            else:
                messages.warning(request, f"Chosen, not approved: {choice.approval_refusal or 'it still needs approvals.'}{others}")
            return redirect("campaign-page", campaign.pk)
    state = next(s for s in selectors.campaign_state(campaign) if s.cell.pk == cell.pk)
    return render(request, "campaigns/cell.html", {
        "campaign": campaign, "project": campaign.project, "rights": rights, "section": "campaigns", "cell": cell,
        "state": state, "scene": campaign.scenes[cell.scene_index], "source": SOURCE,
    })
