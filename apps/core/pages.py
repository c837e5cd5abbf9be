"""What every page view shares: login, loading a project by the user's role, and turning the
rules' refusals (raised for REST) into pages and form errors.

The rules themselves stay in the policy modules and services; pages only show their answers.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from rest_framework import exceptions as drf_exceptions

from apps.core.exceptions import ApplicationError
from apps.projects import policy
from apps.projects.models import Project


def page(view):
    """A logged-in page whose refusals (403, or a rule's 400/402/409 no form caught) carry the
    rule's own words instead of a bare error page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (drf_exceptions.PermissionDenied, PermissionDenied) as refusal:
            message = str(getattr(refusal, "detail", refusal)) or "You may not do this."
            return render(request, "refused.html", {"title": "Not allowed", "message": message}, status=403)
        except ApplicationError as refusal:
            return render(request, "refused.html", {"title": "Not done", "message": refusal.message}, status=refusal.status_code)

    return wrapper


@dataclass(frozen=True)
class Rights:
    """What the current user's role lets them do in one project, for showing or hiding actions."""

    role: str
    generate: bool
    manage_library: bool
    upload: bool
    manage_project: bool
    review: bool


def rights_for(user, project: Project, role: str) -> Rights:
    from apps.approvals.policy import policy_for

    return Rights(
        role=role,
        generate=policy.role_allows(role, policy.Action.GENERATE),
        manage_library=policy.role_allows(role, policy.Action.MANAGE_LIBRARY),
        upload=policy.role_allows(role, policy.Action.UPLOAD),
        manage_project=policy.role_allows(role, policy.Action.MANAGE_PROJECT),
        review=role in policy_for(project).decider_roles,
    )


def project_page(request, project_id, action=policy.Action.VIEW) -> tuple[Project, Rights]:
    """The project (404 for outsiders, 403 for a role without `action`) and the user's rights in it."""
    project = policy.project_for(request.user, project_id, action)
    return project, rights_for(request.user, project, policy.role_of(request.user, project))


@contextmanager
def errors_into(form, field_for_rule: dict | None = None):
    """Catch a rule's refusal and show it next to the field it names (or above the form).
    `field_for_rule` maps a rule's field name (as the API spells it) to the form's."""
    try:
        yield
    except ApplicationError as error:
        field = (field_for_rule or {}).get(error.field, error.field)
        form.add_error(field if field in form.fields else None, error.message)


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def count_characters(field) -> None:
    """Let a text field take more than its limit and say so, instead of the browser cutting pasted
    text silently at `maxlength`: static/js/counter.js counts, the server refuses with both numbers."""
    field.widget.attrs.pop("maxlength", None)
    field.widget.attrs["data-max-chars"] = field.max_length
    field.error_messages["max_length"] = (
        f"{field.label or 'The text'} is at most %(limit_value)s characters; this one has %(show_value)s. "
        "Shorten it: nothing was sent."
    )
