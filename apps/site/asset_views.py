import json
import uuid

from django.conf import settings
from django.contrib import messages
from django.core.serializers.json import DjangoJSONEncoder
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_POST
from rest_framework.exceptions import PermissionDenied

from apps.approvals import policy as review_policy
from apps.approvals import services as review_services
from apps.approvals.forms import DecisionForm
from apps.approvals.views import decide_from_form
from apps.assets import credentials, credentials_reading, selectors, services
from apps.assets.exports import credentialed_zip_entry, deliverable, signing_ready
from apps.core.counts import capped_count
from apps.core.downloads import ZipEntry, zip_response
from apps.core.exceptions import ApplicationError, Throttled
from apps.core.pages import back_to, errors_into, is_htmx, page
from apps.gemini import catalogue
from apps.generations.forms import DeriveForm, RegionEditForm
from apps.library.models import LibraryEntry
from apps.projects import policy
from apps.projects.pages import project_page, rights_for
from apps.projects.policy import Action
from apps.rights.services import RightsRefused, effective_rights_of, refusal_for
from apps.site.asset_forms import AssetDetailsForm, BulkForm, GalleryFilterForm


@page
def gallery(request, project_id):
    project, rights = project_page(request, project_id)
    entries = LibraryEntry.objects.filter(project=project).order_by("kind", "name")
    campaigns = project.campaigns.order_by("-created_at").values_list("pk", "name")
    filters = GalleryFilterForm(request.GET or None, entries=entries, tags=selectors.tags_in_use(project=project), campaigns=campaigns)
    matching = selectors.asset_list(project=project, **filters.filters(user=request.user))
    assets, next_cursor = selectors.asset_page(
        selectors.with_page_details(matching, user=request.user), after=request.GET.get("after", ""), size=settings.PAGE_SIZE
    )
    query = request.GET.copy()
    query["after"] = next_cursor
    context = {"assets": assets, "next_url": f"?{query.urlencode()}" if next_cursor else "", "rights": rights, "project": project}
    if is_htmx(request) and request.GET.get("after"):
        return render(request, "assets/_gallery_page.html", context)
    return render(request, "assets/gallery.html", {
        **context, "section": "gallery", "filters": filters, **_gallery_total(matching),
        "here": request.get_full_path(), "bulk_max": BulkForm.MAX_ASSETS,
    })


def _gallery_total(matching) -> dict:
    total, total_over = capped_count(matching)  # a page of a million assets costs one of a thousand
    return {"total": total, "total_over": total_over}


@page
@require_POST
def gallery_bulk(request, project_id):
    """Approve, reject, tag or download a gallery selection. Each decision goes through the same
    rule as a single one, so a selection may be partly refused; the refusals are listed."""
    project, rights = project_page(request, project_id)
    ids = [value for value in request.POST.getlist("assets") if _is_uuid(value)]
    chosen = list(selectors.asset_list(project=project).filter(pk__in=ids).order_by("created_at"))
    form = BulkForm(request.POST, asset_ids=[asset.pk for asset in chosen])
    back = back_to(request, reverse("gallery", args=[project.pk]))
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    action = form.cleaned_data["action"]
    if action == "download":
        policy.check(request.user, project, Action.EXPORT, role=rights.role)
        return _zip_response(project, chosen)
    if action == "tag":
        policy.check(request.user, project, Action.GENERATE, role=rights.role)
        with errors_into(form):
            added = services.asset_tags_add(assets=chosen, names=form.cleaned_data["tags"])
            messages.success(request, f"Tagged {len(chosen)} asset{'s' if len(chosen) != 1 else ''} with {', '.join(form.cleaned_data['tags'])} ({added} new tag{'s' if added != 1 else ''}).")
        for error in form.non_field_errors():
            messages.error(request, error)
        return redirect(back)
    if action == "approve_passing":
        done_text, refused_text = review_services.approve_passing_message(review_services.approve_passing(user=request.user, assets=chosen))
        messages.success(request, done_text)
        if refused_text:
            messages.error(request, refused_text)
        return redirect(back)
    done, refused = 0, []
    for asset in chosen:
        try:
            review_services.review_decide(user=request.user, asset=asset, decision=action, comment=form.cleaned_data["comment"])
            done += 1
        except (PermissionDenied, ApplicationError) as refusal:
            refused.append(f"“{asset.display_title}”: {getattr(refusal, 'message', None) or refusal.detail}")
    if done:
        messages.success(request, f"{'Approved' if action == 'approve' else 'Rejected'} {done} asset{'s' if done != 1 else ''}.")
    if refused:
        messages.error(request, f"Not {'approved' if action == 'approve' else 'rejected'}: " + " ".join(refused))
    return redirect(back)


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
        return True
    except ValueError:
        return False


def _zip_response(project, assets):
    """The selection streamed as a zip (each file the copy carrying Content Credentials), with a manifest of provenance."""
    signing_ready()

    allowed, left_out = deliverable(assets)  # an asset whose rights ended is left out and listed

    def entries():
        manifest = []
        for asset in allowed:
            name = f"{slugify(asset.display_title)[:50] or 'image'}-{str(asset.pk)[:8]}.{asset.file.name.rsplit('.', 1)[-1]}"
            entry, describe = credentialed_zip_entry(asset, name)
            yield entry
            manifest.append(describe())
        body = {"project": {"id": str(project.pk), "name": project.name}, "assets": manifest, "left_out": left_out}
        yield ZipEntry("manifest.json", data=json.dumps(body, cls=DjangoJSONEncoder, indent=2).encode())

    return zip_response(entries(), filename=f"{slugify(project.name) or 'project'}-selection.zip")


def _files_cut_from(asset, lineage) -> list[tuple]:
    """(file, why it may not go or "") for each file cut from the asset itself (its placement
    files): the lineage panel draws them as its last row. A refused file shows without its picture."""
    own = [found for found in lineage.files if found.asset_id == asset.pk]
    if not own:
        return []
    rights = effective_rights_of(asset)
    refusals = [refusal_for(rights, channel=found.channel) for found in own]
    return [(found, refusal.message if refusal else "") for found, refusal in zip(own, refusals)]


@page
def asset_page(request, asset_id):
    asset = policy.object_for(request.user, selectors.with_page_details(selectors.asset_queryset(), user=request.user), asset_id)
    rights = rights_for(request.user, asset.project, asset.my_role)
    generation = asset.generation
    references = generation.references.select_related("reference_image__entry").order_by("position") if generation else []
    lineage = selectors.asset_lineage(asset, for_pages=True)
    levels = selectors.lineage_levels(lineage, asset)
    files = _files_cut_from(asset, lineage)
    if is_htmx(request) and request.GET.get("part") == "lineage":
        return render(request, "partials/lineage.html", {"asset": asset, "levels": levels, "references": references, "files": files})
    decision_form = DecisionForm(request.POST or None) if request.POST.get("form") != "details" else DecisionForm()
    details_form = AssetDetailsForm(
        request.POST if request.POST.get("form") == "details" else None,
        initial={"title": asset.title, "tags": ", ".join(tag.name for tag in asset.tags.all())},
    )
    if request.method == "POST" and request.POST.get("form") == "details":
        policy.check(request.user, asset.project, Action.GENERATE, role=rights.role)
        if details_form.is_valid():
            services.asset_details_update(asset=asset, title=details_form.cleaned_data["title"], tags=details_form.cleaned_data["tags"])
            messages.success(request, "Title and tags saved.")
            return redirect("asset-page", asset.pk)
    elif request.method == "POST" and decide_from_form(request, asset, decision_form):
        return redirect("asset-page", asset.pk)
    decisions = review_policy.decisions_allowed(request.user, asset, role=rights.role)
    return render(request, "assets/asset.html", {
        "project": asset.project, "rights": rights, "section": "gallery", "asset": asset, "generation": generation,
        "model": catalogue.get_model(generation.model) if generation else None,
        "references": references, "levels": levels, "files": files,
        "source": selectors.asset_source(asset),
        "neighbours": selectors.asset_neighbours(asset),
        "derive_form": DeriveForm(), "region_form": RegionEditForm(),
        "details_form": details_form,
        "reviews": asset.reviews.select_related("reviewer"),
        "decisions": decisions,
        # Deciders see the decision first (above Make more and Refine), and a decide bar on phones.
        "can_decide": rights.review and any(refusal is None for refusal in decisions.values()),
        "decision_form": decision_form,
    }, status=400 if decision_form.errors or details_form.errors else 200)


@page
@require_POST
def asset_favourite(request, asset_id):
    """Star or unstar (on=1 / on=0) for the current person; any member may."""
    asset = policy.object_for(request.user, selectors.asset_queryset(), asset_id)
    asset.is_favourite = services.favourite_set(user=request.user, asset=asset, on=request.POST.get("on") == "1")
    if is_htmx(request):
        return render(request, "assets/_favourite.html", {"asset": asset})
    return redirect(back_to(request, reverse("asset-page", args=[asset.pk])))


@page
@require_POST
def asset_pick(request, asset_id):
    """Keep this one of a set of variations: it becomes a favourite and opens."""
    asset = policy.object_for(request.user, selectors.asset_queryset(), asset_id)
    services.favourite_set(user=request.user, asset=asset, on=True)
    messages.success(request, f"Picked “{asset.display_title}” (added to your favourites).")
    return redirect("asset-page", asset.pk)


@page
def credentials_panel(request, asset_id):
    """The asset page's Content Credentials panel, loaded after the page: signing a 4K copy the
    first time takes seconds. A signing problem shows in the panel, not as an error page."""
    asset = policy.object_for(request.user, selectors.asset_queryset(), asset_id)
    try:
        context = {"credentials": credentials_reading.with_names(credentials_reading.credentials_summary(asset, user=request.user), project_id=asset.project_id)}
    except (credentials.CredentialsUnavailable, Throttled, RightsRefused) as exc:  # incl. signing in progress, too many signings, rights ended
        context = {"credentials": None, "credentials_problem": exc.message}
    return render(request, "assets/_credentials_panel.html", {"asset": asset, **context})
