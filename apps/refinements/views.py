"""The Refine panel on an asset's page: the thread up to a turn, and a form that asks for the next.

The panel is one htmx fragment. Sending swaps in the panel for the new turn, which asks for
itself again each second until the model has answered, so turns appear without a reload.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assets.selectors import asset_queryset
from apps.core.exceptions import ApplicationError
from apps.core.pages import is_htmx, page
from apps.core.throttling import job_allowance_check
from apps.projects.pages import rights_for
from apps.gemini import catalogue
from apps.projects import policy
from apps.projects.policy import Action
from apps.refinements import history, selectors, services
from apps.refinements.forms import RefineForm
from apps.refinements.models import Turn


def _panel(request, asset, *, head: Turn | None = None, form: RefineForm | None = None, status: int = 200):
    """The panel for the thread through `head` (by default the turn that made `asset`)."""
    rights = rights_for(request.user, asset.project, asset.my_role)
    view = selectors.turn_view(head) if head is not None else selectors.asset_thread(asset)
    messages = selectors.thread_messages(view.path) if view else []
    last = view.path[-1] if view else None
    pending = last is not None and last.generation_id is not None and not last.generation.is_finished
    # The next turn refines the newest image on the path; a failed turn leaves its parent to retry from.
    target = last.output if last is not None and last.output is not None else asset
    if last is not None and last.output is None and not pending:
        target = view.path[-2].output if len(view.path) > 1 else asset
    model = catalogue.get_model(view.thread.model if view else (asset.generation.model if asset.generation_id else catalogue.DEFAULT_MODEL))
    return render(request, "refinements/_panel.html", {
        "asset": asset, "rights": rights, "view": view, "messages": messages, "pending": pending, "head": last,
        "target": target, "model": model, "form": form or RefineForm(),
        "images_held": history.images_held([(step, step.output) for step in view.path]) if view and not pending else None,
    }, status=status)


@page
def refine_panel(request, asset_id):
    asset = policy.object_for(request.user, asset_queryset(), asset_id)
    head = None
    if request.GET.get("turn"):
        try:
            head = Turn.objects.select_related("thread").get(pk=request.GET["turn"], thread__project=asset.project)
        except (Turn.DoesNotExist, ValidationError) as missing:
            raise Http404("No such turn in this project.") from missing
    return _panel(request, asset, head=head)


@page
@require_POST
def refine_send(request, asset_id):
    """Ask for the next turn from the panel on this asset's page, refining the newest image the
    panel shows (`target`, this asset by default); answers with the panel for the new turn."""
    asset = policy.object_for(request.user, asset_queryset(), asset_id, Action.GENERATE)
    form = RefineForm(request.POST)
    turn = None
    if form.is_valid():
        target = asset
        if form.cleaned_data["target"]:
            target = asset_queryset().filter(project=asset.project, pk=form.cleaned_data["target"]).first()
            if target is None:
                raise Http404("No such asset in this project.")
        try:
            job_allowance_check(request.user, 1)  # as the REST endpoint's throttle does
            turn, _ = services.refinement_create(
                asset=target, user=request.user, data=form.to_input(), idempotency_key=form.cleaned_data["request_key"]
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
    if not is_htmx(request):
        return redirect("asset-page", asset.pk)
    if turn is None:
        return _panel(request, asset, form=form, status=400)
    return _panel(request, asset, head=turn)
