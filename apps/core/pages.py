"""What every page view shares: login, and turning the rules' refusals (the application's own
error types, the same REST answers with) into pages and form errors. Loading a project by the
user's role is apps/projects/pages.py: this module knows no domain app.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from apps.core.exceptions import ApplicationError, NotAllowed, NotFound, ValidationFailed


def id_parameter(value, name: str) -> uuid.UUID:
    """A page's id parameter (query or form), or a 400 naming it: a malformed id is the caller's
    mistake, never a 500."""
    try:
        return uuid.UUID(str(value))
    except (TypeError, ValueError, AttributeError):
        shown = str(value)[:60]
        raise ValidationFailed(f"{name} must be an id (a UUID); got {shown!r}.", field=name) from None


def page(view):
    """A logged-in page whose refusals (a rule's 403/404, or 400/402/409 no form caught) carry the
    rule's own words instead of a bare error page."""

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as refusal:  # Django's own (e.g. a CSRF or login rule)
            return render(request, "refused.html", {"title": "Not allowed", "message": str(refusal) or "You may not do this."}, status=403)
        except ApplicationError as refusal:
            title = {403: "Not allowed", 404: "Not found"}.get(refusal.status_code, "Not done")
            return render(request, "refused.html", {"title": title, "message": refusal.message}, status=refusal.status_code)

    return wrapper


@contextmanager
def errors_into(form, field_for_rule: dict | None = None):
    """Catch a rule's refusal and show it next to the field it names (or above the form).
    `field_for_rule` maps a rule's field name (as the API spells it) to the form's."""
    try:
        yield
    except (NotAllowed, NotFound):
        raise  # who may act is not a form error: the page decorator answers 403 / 404
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


def back_to(request, fallback: str) -> str:
    """Where a posted form returns to (`next`, its filters kept); only this site's paths."""
    target = request.POST.get("next", "")
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else fallback
