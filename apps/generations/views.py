import uuid

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assets import selectors as asset_selectors
from apps.assets.images import upload_read
from apps.core.exceptions import ApplicationError, Conflict, NotAllowed, NotFound
from apps.core.pages import errors_into, is_htmx, page
from apps.core.throttling import JobCreationThrottle
from apps.gemini import catalogue
from apps.generations import region_edits, selectors, services
from apps.generations.forms import FIELD_FOR_RULE, DeriveForm, GenerateForm, RegionEditForm
from apps.library import selectors as library_selectors
from apps.library.models import EntryKind
from apps.projects import policy
from apps.projects.pages import project_page, rights_for
from apps.projects.policy import Action


def _throttled(request) -> int | None:
    """The same per-user job limit as the REST API; seconds to wait, or None."""
    throttle = JobCreationThrottle()
    return None if throttle.allow_request(request, None) else int(throttle.wait() or 1)


def _create(request, project, form, data_input, *, key: str = ""):
    """Create the job or put the rule's refusal on the form; returns the job or None."""
    wait = _throttled(request)
    if wait is not None:
        form.add_error(None, f"You are creating jobs too fast. Try again in {wait} s.")
        return None
    with errors_into(form, FIELD_FOR_RULE):
        generation, _ = services.generation_create(project=project, user=request.user, data=data_input, idempotency_key=key)
        for warning in generation.warnings:
            messages.warning(request, warning["message"])
        return generation
    return None


def _uuids(values) -> list[uuid.UUID]:
    ids = []
    for value in values:
        try:
            ids.append(uuid.UUID(value))
        except ValueError:
            pass
    return ids


def _starting_point(request, project, characters, objects) -> dict:
    """?from=<job> starts from that job's prompt and settings; ?reference=<asset> adds gallery images."""
    initial = {}
    source_job = selectors.generation_list(project=project).filter(pk__in=_uuids(request.GET.getlist("from")[:1])).first()
    if source_job is not None:
        initial = GenerateForm.initial_from(source_job, characters=characters, objects=objects)
    references = _uuids(request.GET.getlist("reference"))
    if references:
        initial["source_assets"] = [str(pk) for pk in references]
    return initial


@page
def generate(request, project_id):
    project, rights = project_page(request, project_id, Action.GENERATE)
    characters = library_selectors.entry_list(project=project, kind=EntryKind.CHARACTER)
    objects = library_selectors.entry_list(project=project, kind=EntryKind.OBJECT)
    initial = {} if request.method == "POST" else _starting_point(request, project, characters, objects)
    wanted = _uuids(request.POST.getlist("source_assets") if request.method == "POST" else initial.get("source_assets", []))
    gallery_images = list(asset_selectors.asset_list(project=project).filter(pk__in=wanted)) if wanted else []
    form = GenerateForm(request.POST or None, initial=initial, characters=characters, objects=objects, source_assets=gallery_images)
    if request.method == "POST" and form.is_valid():
        job = _create(request, project, form, form.to_input(), key=f"page-{form.cleaned_data['request_key']}")
        if job is not None:
            if is_htmx(request):
                return render(request, "generations/_generate_result.html", {
                    "job": selectors.generation_queryset().get(pk=job.pk), "rights": rights,
                    "form": GenerateForm(characters=characters, objects=objects, source_assets=gallery_images),
                })
            return redirect("generation-page", job.pk)
    hide_campaign_jobs = request.GET.get("campaign_jobs") == "hide"
    mine = selectors.generation_list(project=project).filter(created_by=request.user)
    if hide_campaign_jobs:
        mine = mine.filter(campaign_job__isnull=True)  # the reverse side of campaigns' CampaignJob: no import of campaigns
    context = {
        "project": project, "rights": rights, "section": "generate", "form": form,
        "characters": characters, "objects": objects, "gallery_images": gallery_images, "catalogue": _catalogue_for_page(),
        "jobs": mine.order_by("-created_at")[:8],
        # A campaign stage makes dozens of jobs at once; they can be hidden here (the campaign page follows them).
        "hide_campaign_jobs": hide_campaign_jobs,
        "campaign_jobs": selectors.generation_list(project=project).filter(created_by=request.user, campaign_job__isnull=False).count(),
    }
    status = 400 if form.errors else 200
    if is_htmx(request):
        response = render(request, "generations/_generate_form.html", context, status=status)
        response["HX-Retarget"], response["HX-Reswap"] = "#generate-form", "outerHTML"
        return response
    return render(request, "generations/generate.html", context, status=status)


def _catalogue_for_page() -> dict:
    """What the form's script needs to show only the choices the chosen model has."""
    return {
        "models": {
            m.alias: {
                "sizes": list(m.sizes), "default_size": m.default_size, "aspect_ratios": list(m.aspect_ratios),
                "thinking_levels": list(m.thinking_levels), "web_search": m.web_search, "image_search": m.image_search,
                "max_input_images": m.max_input_images,
                "guidance": {"characters": m.guidance.character_images, "objects": m.guidance.object_images,
                             "inputs": m.guidance.input_images},
            }
            for m in catalogue.MODELS
        },
        "ratios": {ratio: list(pixels) for ratio, pixels in catalogue.PIXELS_1K.items()},
        "batch_turnaround": catalogue.BATCH_TURNAROUND,
    }


@page
def generation_page(request, generation_id):
    """A job's card; while it runs, the card asks for itself again each second (htmx)."""
    job = policy.object_for(request.user, selectors.generation_queryset(), generation_id)
    rights = rights_for(request.user, job.project, job.my_role)
    if is_htmx(request):
        response = render(request, "generations/_job.html", {"job": job, "rights": rights})
        if job.is_finished:
            response["HX-Trigger"] = "job-finished"  # e.g. the asset page redraws its lineage
        return response
    return render(request, "generations/job.html", {
        "job": job, "project": job.project, "rights": rights, "section": "generate", "model": catalogue.get_model(job.model),
    })


@page
@require_POST
def derive(request, asset_id):
    """Edit, translate, upscale or make variations of an asset, from its page."""
    asset = policy.object_for(request.user, asset_selectors.asset_queryset(), asset_id, Action.GENERATE)
    form = DeriveForm(request.POST)
    jobs = []
    if form.is_valid():
        for data_input in form.inputs(asset):
            job = _create(request, asset.project, form, data_input)
            if job is None:
                break  # the refusal is on the form; jobs made before it stand and are shown
            jobs.append(job)
    if is_htmx(request):
        rights = rights_for(request.user, asset.project, asset.my_role)
        return render(request, "generations/_derive_result.html", {
            "jobs": selectors.generation_queryset().filter(pk__in=[j.pk for j in jobs]).order_by("created_at"),
            "form": form, "rights": rights,
        }, status=400 if form.errors else 200)
    if jobs and not form.errors:
        return redirect("generation-page", jobs[0].pk) if len(jobs) == 1 else redirect("asset-page", asset.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("asset-page", asset.pk)


@page
@require_POST
def generation_cancel(request, generation_id):
    """Cancel a queued or running job from its card; a finished one stays as it is."""
    job = policy.object_for(request.user, selectors.generation_queryset(), generation_id, Action.GENERATE)
    try:
        services.generation_cancel(generation=job)
    except Conflict:
        pass  # it finished meanwhile: the card shows how
    if is_htmx(request):
        rights = rights_for(request.user, job.project, job.my_role)
        return render(request, "generations/_job.html", {"job": selectors.generation_queryset().get(pk=job.pk), "rights": rights})
    return redirect("generation-page", job.pk)


@page
@require_POST
def region_edit(request, asset_id):
    """Fix a region from the asset page: the job page follows, where the result opens beside its source."""
    asset = policy.object_for(request.user, asset_selectors.asset_queryset().select_related("generation"), asset_id, Action.GENERATE)
    form = RegionEditForm(request.POST, request.FILES)
    if form.is_valid():
        wait = _throttled(request)
        if wait is not None:
            form.add_error(None, f"You are creating jobs too fast. Try again in {wait} s.")
        else:
            with errors_into(form):
                mask = form.cleaned_data["mask"]
                job, _ = region_edits.region_edit_create(
                    user=request.user, asset=asset, prompt=form.cleaned_data["prompt"], mode=form.cleaned_data["mode"],
                    feather=form.cleaned_data["feather"], region=None if mask else form.cleaned_data["region"],
                    mask=upload_read(mask, field="mask") if mask else None,
                )
                messages.success(request, "Region edit queued: every pixel outside the region stays as it is.")
                return redirect("generation-page", job.pk)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return redirect("asset-page", asset.pk)


@page
def region_edit_preview(request, asset_id):
    """JSON for the crop preview while a box is drawn: what the job would send (see region_edits)."""
    asset = policy.object_for(request.user, asset_selectors.asset_queryset().select_related("generation"), asset_id, Action.GENERATE)
    try:
        region = {key: float(request.GET[key]) for key in ("x", "y", "w", "h")}
    except (KeyError, ValueError):
        return JsonResponse({"error": "x, y, w and h are needed, each a number from 0 to 1 of the image."}, status=400)
    try:
        return JsonResponse(region_edits.region_edit_preview(asset, region=region, mode=request.GET.get("mode", "crop")))
    except (NotAllowed, NotFound):
        raise
    except ApplicationError as refusal:
        return JsonResponse({"error": refusal.message}, status=refusal.status_code)
