"""The owners' Settings page: the project's name and brief, the monthly budget with this month's spend and an alert threshold,
the review policy, and what delivered files' Content Credentials disclose. Each form saves
through the service REST uses (project_update, review_policy_update), so every change is audited."""

from __future__ import annotations

from decimal import Decimal

from django import forms as django_forms
from django.contrib import messages
from django.shortcuts import redirect, render

from apps.approvals import policy as review_policy
from apps.approvals import services as review_services
from apps.approvals.policy import MAX_APPROVALS_REQUIRED
from apps.core.pages import errors_into, page
from apps.generations.budget_alerts import budget_alert_check
from apps.generations.selectors import spend_this_month
from apps.projects import services
from apps.projects.forms import BudgetForm, CredentialsForm, ProjectForm
from apps.projects.models import Role
from apps.projects.pages import project_page
from apps.projects.policy import Action


class ReviewPolicyForm(django_forms.Form):
    decider_roles = django_forms.MultipleChoiceField(
        choices=Role.choices, widget=django_forms.CheckboxSelectMultiple, label="Who may decide",
        error_messages={"required": "Choose at least one role that may decide reviews."},
    )
    four_eyes = django_forms.BooleanField(required=False, label="Four eyes: nobody approves their own work")
    approvals_required = django_forms.IntegerField(
        min_value=1, max_value=MAX_APPROVALS_REQUIRED, label="Approvals that make an asset approved",
        help_text=f"1 to {MAX_APPROVALS_REQUIRED} distinct people.",
    )
    checks_must_pass = django_forms.BooleanField(required=False, label="Brand checks must pass (or be waived with a reason)")


FORMS = {"project": ProjectForm, "budget": BudgetForm, "review": ReviewPolicyForm, "credentials": CredentialsForm}


def budget_figures(project, spent: Decimal) -> dict | None:
    """This month's spend against the budget, for the meter (None without a budget)."""
    budget = project.monthly_budget_usd
    if budget is None:
        return None
    percent = float(spent / budget * 100) if budget > 0 else (100.0 if spent > 0 else 0.0)
    alert = project.budget_alert_percent
    return {"budget": budget, "percent": round(percent, 1), "meter": min(round(percent), 100), "left": max(budget - spent, Decimal(0)),
            "over": spent > budget, "alerting": alert is not None and percent >= alert}


@page
def settings_page(request, project_id):
    project, rights = project_page(request, project_id, Action.MANAGE_PROJECT)
    rules = review_policy.policy_for(project)
    initial = {
        "project": {"name": project.name, "brief": project.brief},
        "budget": {"monthly_budget_usd": project.monthly_budget_usd, "budget_alert_percent": project.budget_alert_percent},
        "review": rules.as_dict(),
        "credentials": {name: getattr(project, name) for name in CredentialsForm.base_fields},
    }
    bound = {name: form_class(initial=initial[name], prefix=name) for name, form_class in FORMS.items()}
    which = request.POST.get("form")
    status = 200
    if request.method == "POST":
        if which not in FORMS:
            messages.error(request, f"Unknown settings form {which!r}: choose one of {', '.join(FORMS)}.")
            return redirect("settings-page", project.pk)
        form = bound[which] = FORMS[which](request.POST, initial=initial[which], prefix=which)
        if form.is_valid():
            with errors_into(form):
                _save(request, which, project=project, data=form.cleaned_data, changed=form.changed_data)
                return redirect("settings-page", project.pk)
        status = 400
    project.refresh_from_db()
    spent = spend_this_month(project)
    return render(request, "projects/settings.html", {
        "project": project, "rights": rights, "section": "settings", "settings_tab": "general", "forms": bound,
        "spent": spent, "figures": budget_figures(project, spent), "failed": which if status == 400 else None,
    }, status=status)


def _save(request, which: str, *, project, data: dict, changed: list[str]) -> None:
    actor = request.user
    if not changed:
        messages.info(request, {"project": "Name and brief", "review": "Review policy", "budget": "Budget", "credentials": "Content Credentials settings"}[which] + " unchanged.")
        return
    if which == "review":
        review_services.review_policy_update(project=project, actor=actor, **data)
        saved = "Review policy saved."
    elif which == "budget":
        services.project_update(project=project, actor=actor, **data)
        budget_alert_check(project=project)  # a lower threshold may be passed already
        saved = "Budget saved."
    elif which == "project":
        services.project_update(project=project, actor=actor, **{name: data[name] for name in changed})
        saved = "Name and brief saved."
    else:
        services.project_update(project=project, actor=actor, **data)
        saved = "Content Credentials settings saved."
    messages.success(request, saved)
