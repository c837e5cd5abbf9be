from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assets.images import upload_read
from apps.assets.selectors import asset_queryset
from apps.core.pages import errors_into, page
from apps.library import selectors as library_selectors
from apps.projects import policy
from apps.projects.pages import project_page, rights_for
from apps.projects.policy import Action
from apps.rights import selectors, services
from apps.rights.forms import ExpiringForm, OverrideForm, PolicyForm, RightForm
from apps.rights.models import Right


@page
def rights_page(request, project_id):
    """What ends soon or has ended, soonest first; owners set the project's rule for new references."""
    project, role_rights = project_page(request, project_id)
    policy_form = PolicyForm(request.POST or None, initial={"require_on_references": services.policy_for(project).require_on_references})
    if request.method == "POST":
        policy.check(request.user, project, Action.MANAGE_PROJECT, role=role_rights.role)
        if policy_form.is_valid():
            services.policy_update(project=project, user=request.user, **policy_form.cleaned_data)
            messages.success(request, "Rights policy saved.")
            return redirect("rights-page", project.pk)
    filters = ExpiringForm(request.GET or None)
    days = filters.cleaned_data.get("days") if filters.is_valid() and filters.cleaned_data.get("days") is not None else 30
    assets = list(selectors.expiring(project=project, days=days)[:500])
    rows = [(asset, selectors.state(asset.effective_rights), selectors.sentence(asset.effective_rights)) for asset in assets]
    return render(request, "rights/rights.html", {
        "project": project, "rights": role_rights, "section": "rights", "rows": rows, "days": days, "filters": filters,
        "expired_count": sum(1 for _, state, _ in rows if state == "expired"), "policy_form": policy_form,
    })


def _entry_for_image_rights(request, entry_id):
    entry = policy.object_for(request.user, library_selectors.entry_queryset(), entry_id, Action.MANAGE_LIBRARY)
    return entry, rights_for(request.user, entry.project, entry.my_role)


@page
@require_POST
def entry_rights_add(request, entry_id):
    """Record one right on each chosen reference image of a library entry."""
    entry, role_rights = _entry_for_image_rights(request, entry_id)
    images = entry.live_images
    form = RightForm(request.POST, request.FILES, images=images)
    if form.is_valid():
        with errors_into(form):
            fields = services.right_fields_clean(form.right_fields())
            upload = form.cleaned_data.get("document")
            document = upload_read(upload, field="document") if upload else None
            chosen = [image for image in images if str(image.pk) in form.cleaned_data["images"]]
            for image in chosen:
                services.right_create(project=entry.project, user=request.user, fields=fields, reference_image=image,
                                      document=document, document_name=upload.name if upload else "")
            messages.success(request, f"Recorded the {dict(form.fields['kind'].choices)[fields['kind']].lower()} from {fields['holder']} "
                                      f"on {len(chosen)} image{'s' if len(chosen) != 1 else ''}. Assets made with them are being updated.")
            return redirect("library-entry", entry.pk)
    messages.error(request, "The right was not recorded: " + " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("library-entry", entry.pk)


def _right_for(request, right_id, action=Action.VIEW) -> Right:
    return policy.object_for(request.user, Right.objects.select_related("reference_image__entry", "asset"), right_id, action)


def _back_to(right: Right):
    return redirect("library-entry", right.reference_image.entry_id) if right.reference_image_id else redirect("asset-page", right.asset_id)


@page
def right_edit(request, right_id):
    right = _right_for(request, right_id, Action.MANAGE_LIBRARY if request.method == "POST" else Action.VIEW)
    role_rights = rights_for(request.user, right.project, right.my_role)
    initial = {"holder": right.holder, "kind": right.kind, "territories": ", ".join(right.territories), "channels": ", ".join(right.channels),
               "starts_on": right.starts_on, "ends_on": right.ends_on, "licence": right.licence, "notes": right.notes}
    form = RightForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with errors_into(form):
            fields = services.right_fields_clean(form.right_fields(), current=right)
            upload = form.cleaned_data.get("document")
            services.right_update(right=right, user=request.user, fields=fields, document=upload_read(upload, field="document") if upload else None,
                                  document_name=upload.name if upload else "")
            messages.success(request, "Right saved. Every asset made from it is being updated.")
            return _back_to(right)
    return render(request, "rights/right_edit.html", {
        "project": right.project, "rights": role_rights, "section": "library", "right": right, "form": form,
    }, status=400 if form.errors else 200)


@page
@require_POST
def right_delete(request, right_id):
    right = _right_for(request, right_id, Action.MANAGE_LIBRARY)
    back = _back_to(right)
    services.right_delete(right=right, user=request.user)
    messages.success(request, "Right deleted. Every asset made from it is being updated.")
    return back


@page
@require_POST
def asset_override(request, asset_id):
    """Owners: record (or, with clear=1, withdraw) an override on an asset whose rights ended."""
    asset = policy.object_for(request.user, asset_queryset(), asset_id, Action.MANAGE_PROJECT)
    if request.POST.get("clear") == "1":
        services.override_clear(asset=asset, user=request.user)
        messages.success(request, "Override withdrawn.")
        return redirect("asset-page", asset.pk)
    form = OverrideForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            services.override_set(asset=asset, user=request.user, **form.cleaned_data)
            messages.success(request, f"Override recorded until {form.cleaned_data['until']:%Y-%m-%d}.")
            return redirect("asset-page", asset.pk)
    messages.error(request, "No override recorded: " + " ".join(str(error) for errors in form.errors.values() for error in errors))
    return redirect("asset-page", asset.pk)
