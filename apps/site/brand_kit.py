"""The brand kit page: owners edit the kit (through the service the REST PATCH uses), members read it;
it also sets the review policy's "checks must pass", so it sits above checks and approvals."""

from django.contrib import messages
from django.shortcuts import redirect, render

from apps.approvals import policy as review_policy
from apps.approvals import services as review_services
from apps.checks import forms, services
from apps.checks import kit as kit_rules
from apps.checks.selectors import kit_for, recheck_progress
from apps.core.exceptions import ValidationFailed
from apps.core.pages import page
from apps.projects import policy
from apps.projects.pages import project_page
from apps.projects.policy import Action


@page
def brand_kit_page(request, project_id):
    project, rights = project_page(request, project_id)
    kit = kit_for(project)
    rules = review_policy.policy_for(project)
    error = None
    values = {"palette": kit.palette, "terms": kit.terms, "tolerance": kit.tolerance, "min_brand_share": kit.min_brand_share,
              "forbidden_colours": kit.forbidden_colours, "logo_required": kit.logo_required,
              "min_contrast": kit.min_contrast, "min_contrast_large": kit.min_contrast_large}
    if request.method == "POST":
        policy.check(request.user, project, Action.MANAGE_PROJECT, role=rights.role)
        if request.POST.get("action") == "recheck":
            run = services.recheck_start(project=project)
            messages.success(request, f"Rechecking {run['total']} asset{'s' if run['total'] != 1 else ''} against brand kit v{kit.version}.")
            return redirect("brand-kit-page", project.pk)
        changes = forms.kit_changes(request.POST)
        try:
            cleaned = kit_rules.validate(changes)
        except ValidationFailed as refusal:
            error = {"field": refusal.field, "message": refusal.message}
            values.update({key: value for key, value in changes.items() if key in values})  # show what was typed
        else:
            before = kit.version
            kit = services.kit_update(project=project, actor=request.user, **cleaned)
            must_pass = request.POST.get("checks_must_pass") == "on"
            if must_pass != rules.checks_must_pass:
                review_services.review_policy_update(project=project, actor=request.user, checks_must_pass=must_pass)
            saved = f"Brand kit saved (v{kit.version})." if kit.version != before else "Brand kit unchanged."
            if must_pass != rules.checks_must_pass:
                saved += f" Review policy: checks {'must' if must_pass else 'need not'} pass before approval."
            messages.success(request, saved + (" Recheck the project's assets to read them against it." if kit.version != before else ""))
            return redirect("brand-kit-page", project.pk)
    share = values["min_brand_share"]
    return render(request, "checks/brand_kit.html", {
        "project": project, "rights": rights, "section": "brand-kit", "kit": kit, "error": error,
        "palette_rows": forms.palette_rows(values["palette"]) if rights.manage_project else values["palette"],
        "term_rows": forms.term_rows(values["terms"]) if rights.manage_project else forms.term_rows(values["terms"])[: len(values["terms"])],
        "values": values, "share_percent": round(share * 100, 1) if isinstance(share, (int, float)) else (share or ""),
        "roles": forms.ROLE_CHOICES, "languages": forms.language_choices(), "checks_must_pass": rules.checks_must_pass,
        "recheck": recheck_progress(project),
    }, status=400 if error else 200)
