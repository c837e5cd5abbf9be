from django.conf import settings
from django.shortcuts import redirect, render

from apps.approvals import policy as review_policy
from apps.approvals.forms import DecisionForm
from apps.approvals.views import decide_from_form
from apps.assets import credentials, selectors
from apps.assets.forms import GalleryFilterForm
from apps.core.pages import is_htmx, page
from apps.gemini import catalogue
from apps.generations.forms import DeriveForm
from apps.library.models import LibraryEntry
from apps.projects import policy
from apps.projects.pages import project_page, rights_for


@page
def gallery(request, project_id):
    project, rights = project_page(request, project_id)
    entries = LibraryEntry.objects.filter(project=project).order_by("kind", "name")
    filters = GalleryFilterForm(request.GET or None, entries=entries)
    assets, next_cursor = selectors.asset_page(
        selectors.asset_list(project=project, **filters.filters()), after=request.GET.get("after", ""), size=settings.PAGE_SIZE
    )
    query = request.GET.copy()
    query["after"] = next_cursor
    context = {"assets": assets, "next_url": f"?{query.urlencode()}" if next_cursor else ""}
    if is_htmx(request) and request.GET.get("after"):
        return render(request, "assets/_gallery_page.html", context)
    return render(request, "assets/gallery.html", {**context, "project": project, "rights": rights, "section": "gallery", "filters": filters})


@page
def asset_page(request, asset_id):
    asset = policy.object_for(request.user, selectors.asset_queryset(), asset_id)
    rights = rights_for(request.user, asset.project, asset.my_role)
    decision_form = DecisionForm(request.POST or None)
    if request.method == "POST" and decide_from_form(request, asset, decision_form):
        return redirect("asset-page", asset.pk)
    generation = asset.generation
    lineage = selectors.asset_lineage(asset)
    return render(request, "assets/asset.html", {
        "project": asset.project, "rights": rights, "section": "gallery", "asset": asset, "generation": generation,
        "model": catalogue.get_model(generation.model) if generation else None,
        "references": generation.references.select_related("reference_image__entry").order_by("position") if generation else [],
        "levels": selectors.lineage_levels(lineage, asset),
        "derive_form": DeriveForm(),
        "reviews": asset.reviews.select_related("reviewer"),
        "decisions": review_policy.decisions_allowed(request.user, asset, role=rights.role),
        "decision_form": decision_form,
    }, status=400 if decision_form.errors else 200)


@page
def credentials_panel(request, asset_id):
    """The asset page's Content Credentials panel, loaded after the page: signing a 4K copy the
    first time takes seconds. A signing problem shows in the panel, not as an error page."""
    asset = policy.object_for(request.user, selectors.asset_queryset(), asset_id)
    try:
        context = {"credentials": credentials.credentials_summary(asset)}
    except credentials.CredentialsUnavailable as exc:
        context = {"credentials": None, "credentials_problem": exc.message}
    return render(request, "assets/_credentials_panel.html", {"asset": asset, **context})
