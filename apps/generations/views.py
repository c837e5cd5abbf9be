from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assets import selectors as asset_selectors
from apps.core.exceptions import Conflict
from apps.core.pages import errors_into, is_htmx, page
from apps.core.throttling import JobCreationThrottle
from apps.gemini import catalogue
from apps.generations import selectors, services
from apps.generations.forms import FIELD_FOR_RULE, DeriveForm, GenerateForm
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


@page
def generate(request, project_id):
    project, rights = project_page(request, project_id, Action.GENERATE)
    characters = library_selectors.entry_list(project=project, kind=EntryKind.CHARACTER)
    objects = library_selectors.entry_list(project=project, kind=EntryKind.OBJECT)
    form = GenerateForm(request.POST or None, characters=characters, objects=objects)
    if request.method == "POST" and form.is_valid():
        job = _create(request, project, form, form.to_input(), key=f"page-{form.cleaned_data['request_key']}")
        if job is not None:
            if is_htmx(request):
                return render(request, "generations/_generate_result.html", {
                    "job": selectors.generation_queryset().get(pk=job.pk), "rights": rights,
                    "form": GenerateForm(characters=characters, objects=objects),
                })
            return redirect("generation-page", job.pk)
    context = {
        "project": project, "rights": rights, "section": "generate", "form": form,
        "characters": characters, "objects": objects, "catalogue": _catalogue_for_page(),
        "jobs": selectors.generation_list(project=project).filter(created_by=request.user).order_by("-created_at")[:8],
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
                "prices": {size: str(price) for size, price in m.price_per_image_usd.items()},
                "batch_prices": {size: str(price) for size, price in m.batch_price_per_image_usd.items()},
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
        return render(request, "generations/_job.html", {"job": job, "rights": rights})
    return render(request, "generations/job.html", {"job": job, "project": job.project, "rights": rights, "section": "generate"})


@page
@require_POST
def derive(request, asset_id):
    """Edit, translate, upscale or make variations of an asset, from its page."""
    asset = policy.object_for(request.user, asset_selectors.asset_queryset(), asset_id, Action.GENERATE)
    form = DeriveForm(request.POST)
    job = None
    if form.is_valid():
        job = _create(request, asset.project, form, form.to_input(asset))
    if job is not None:
        if is_htmx(request):
            rights = rights_for(request.user, asset.project, asset.my_role)
            return render(request, "generations/_job.html", {"job": selectors.generation_queryset().get(pk=job.pk), "rights": rights})
        return redirect("generation-page", job.pk)
    if is_htmx(request):
        return render(request, "generations/_derive_errors.html", {"form": form}, status=400)
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
