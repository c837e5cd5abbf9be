"""The asset page's Placements panel (loaded after the page), the focal point a click sets, and the
owners' page for the project's own placements."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assets import selectors as asset_selectors
from apps.assets import services as asset_services
from apps.core.exceptions import ApplicationError
from apps.core.pages import errors_into, is_htmx, page
from apps.placements import catalogue, selectors, services
from apps.placements.catalogue import CHANNEL_LABELS
from apps.placements.forms import ProjectPlacementForm
from apps.projects import policy
from apps.projects.pages import project_page
from apps.projects.policy import Action
from apps.rights.services import effective_rights_of, refusal_for


def _panel_context(request, asset) -> dict:
    rendered = selectors.rendered_placements(asset)
    # Where a file would answer 409, the panel says why instead: once for the whole asset (ended,
    # not begun), or on each placement whose channel the rights leave out.
    rights = effective_rights_of(asset)
    refused_all = refusal_for(rights)
    rows = []
    for placement in selectors.placements_for(asset.project):
        row = services.placement_summary(asset, placement, rendered.get(placement.key))
        refusal = refused_all or refusal_for(rights, channel=placement.channel)
        row["refused"] = refusal.message if refusal is not None else ""
        rows.append(row)
    channels: dict[str, list] = {}
    for row in rows:
        channels.setdefault(CHANNEL_LABELS.get(row["channel"], row["channel"].capitalize()), []).append(row)
    role = policy.role_of(request.user, asset.project)
    return {
        "asset": asset, "channels": channels, "refused_all": refused_all.message if refused_all else "",
        "may_set_focal_point": policy.role_allows(role, Action.GENERATE),
        "warned": sum(1 for row in rows if row["safe_zones_result"] and row["safe_zones_result"]["status"] == "warn"),
    }


@page
def placements_panel(request, asset_id):
    asset = policy.object_for(request.user, asset_selectors.asset_queryset(), asset_id)
    return render(request, "placements/_panel.html", _panel_context(request, asset))


def _coordinate(value: str):
    try:
        return float(value)
    except (TypeError, ValueError):
        return value  # the service names the field and the value


@page
@require_POST
def focal_point(request, asset_id):
    """Editors set the point a click chose (x, y from 0 to 1), or clear it (clear=1)."""
    asset = policy.object_for(request.user, asset_selectors.asset_queryset(), asset_id, Action.GENERATE)
    point = None if request.POST.get("clear") else {"x": _coordinate(request.POST.get("x")), "y": _coordinate(request.POST.get("y"))}
    try:
        asset_services.asset_focal_point_set(asset=asset, point=point)
        done = "Focal point cleared: crops follow the logo or the image's most striking part." if point is None else "Focal point set: every placement keeps it in frame."
        error = None
    except ApplicationError as refusal:
        done, error = None, refusal.message
    if is_htmx(request):
        context = _panel_context(request, asset)
        return render(request, "placements/_panel.html", {**context, "notice": done, "error": error}, status=400 if error else 200)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect("asset-page", asset.pk)


@page
def project_placements_page(request, project_id):
    """The project's own placements beside the catalogue's, and a form to add one (owners)."""
    project, rights = project_page(request, project_id, Action.MANAGE_PROJECT)
    form = ProjectPlacementForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            with errors_into(form, {"ratio": "width", "safe_zones": None}):
                row = services.project_placement_create(project=project, user=request.user, data=form.placement_data())
                messages.success(request, f"{row.label} added: every asset of the project now has it in its Placements panel.")
                return redirect("project-placements-page", project.pk)
        status = 400
    return render(request, "placements/project_placements.html", {
        "project": project, "rights": rights, "section": "settings", "settings_tab": "placements", "form": form,
        "own": selectors.project_placements(project), "catalogue_count": len(selectors.placements_for(None)),
        "rules": {"min_side": catalogue.MIN_SIDE, "max_side": catalogue.MAX_SIDE, "min_bytes": catalogue.MIN_BYTES,
                  "max_bytes": catalogue.MAX_BYTES, "kept": round(catalogue.MIN_KEPT_SHARE * 100)},
    }, status=status)
