from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.assets.images import upload_read
from apps.core.exceptions import ApplicationError
from apps.core.pages import errors_into, page
from apps.gemini.catalogue import LIBRARY_LIMITS
from apps.library import selectors, services
from apps.library.forms import EntryEditForm, EntryForm, ReferenceUploadForm
from apps.library.models import EntryKind, ReferenceImage
from apps.projects import policy
from apps.projects.pages import project_page, rights_for
from apps.projects.policy import Action


def _entry(request, entry_id, action=Action.VIEW):
    entry = policy.object_for(request.user, selectors.entry_queryset(), entry_id, action)
    return entry, rights_for(request.user, entry.project, entry.my_role)


@page
def library(request, project_id):
    project, rights = project_page(request, project_id)
    form = EntryForm(request.POST or None, initial={"kind": request.GET.get("kind", EntryKind.CHARACTER)})
    if request.method == "POST":
        policy.check(request.user, project, Action.MANAGE_LIBRARY, role=rights.role)
        if form.is_valid():
            with errors_into(form):
                entry = services.entry_create(project=project, **form.cleaned_data)
                messages.success(request, f"{entry.get_kind_display()} “{entry.name}” created. Now add its reference images.")
                return redirect("library-entry", entry.pk)
    return render(request, "library/library.html", {
        "project": project, "rights": rights, "section": "library", "form": form, "limits": LIBRARY_LIMITS,
        "characters": selectors.entry_list(project=project, kind=EntryKind.CHARACTER),
        "objects": selectors.entry_list(project=project, kind=EntryKind.OBJECT),
        "logos": selectors.entry_list(project=project, kind=EntryKind.LOGO),
    }, status=400 if form.errors else 200)


def _entry_page(request, entry, rights, *, edit_form=None, upload_form=None, status=200):
    return render(request, "library/entry.html", {
        "project": entry.project, "rights": rights, "section": "library", "entry": entry,
        "limit": LIBRARY_LIMITS.images_per_entry(entry.kind),
        "edit_form": edit_form or EntryEditForm(initial={"name": entry.name, "description": entry.description}),
        "upload_form": upload_form or ReferenceUploadForm(),
        "rights_required": services.reference_rights_required(entry.project),
    }, status=status)


@page
def library_entry(request, entry_id):
    entry, rights = _entry(request, entry_id, Action.MANAGE_LIBRARY if request.method == "POST" else Action.VIEW)
    if request.method != "POST":
        return _entry_page(request, entry, rights)
    form = EntryEditForm(request.POST)
    if form.is_valid():
        with errors_into(form):
            services.entry_update(entry=entry, **form.cleaned_data)
            messages.success(request, "Saved.")
            return redirect("library-entry", entry.pk)
    return _entry_page(request, entry, rights, edit_form=form, status=400)


@page
@require_POST
def library_entry_upload(request, entry_id):
    """Adds each file on its own: one bad file is named and refused, the good ones are kept."""
    entry, rights = _entry(request, entry_id, Action.MANAGE_LIBRARY)
    form = ReferenceUploadForm(request.POST, request.FILES)
    if form.is_valid():
        added = 0
        given = {name: request.POST.get(name) for name in request.POST if name.startswith("rights_")}
        for upload in form.cleaned_data["images"]:
            try:
                services.reference_image_add_given(entry=entry, data=upload_read(upload, field="images"), user=request.user, given=given)
                added += 1
            except ApplicationError as error:
                form.add_error("images", f"{upload.name}: {error.message}")
        if added:
            messages.success(request, f"Added {added} reference image{'s' if added != 1 else ''}.")
        if not form.errors:
            return redirect("library-entry", entry.pk)
    entry, rights = _entry(request, entry_id)  # reload so newly added images show
    return _entry_page(request, entry, rights, upload_form=form, status=400)


@page
@require_POST
def library_entry_archive(request, entry_id):
    entry, _ = _entry(request, entry_id, Action.MANAGE_LIBRARY)
    services.entry_archive(entry=entry)
    messages.success(request, f"Archived “{entry.name}”. Assets made with it keep their exact references.")
    return redirect("library", entry.project_id)


@page
@require_POST
def reference_image_archive(request, image_id):
    image = policy.object_for(request.user, ReferenceImage.objects.all(), image_id, Action.MANAGE_LIBRARY, project_path="entry__project")
    services.reference_image_archive(image=image)
    messages.success(request, "Image archived. Jobs that used it still show it in their lineage.")
    return redirect("library-entry", image.entry_id)
