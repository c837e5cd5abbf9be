"""The owners' API keys page: make a key (shown once, with a copy button), list keys with their
last use, revoke. Through the services REST uses, so every key made or revoked is audited."""

from datetime import datetime, time, timezone as dt_timezone

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.apikeys import services
from apps.apikeys.forms import ApiKeyForm
from apps.apikeys.models import ApiKey
from apps.core.pages import errors_into, page
from apps.projects import policy
from apps.projects.pages import project_page
from apps.projects.policy import Action


def _render(request, project, rights, form, *, minted=None, status=200):
    now = timezone.now()
    keys = list(project.api_keys.select_related("created_by").order_by("revoked_at", "-created_at"))
    for key in keys:
        key.state = "revoked" if key.revoked_at else "expired" if key.expires_at and key.expires_at <= now else "active"
    return render(request, "apikeys/keys.html", {
        "project": project, "rights": rights, "section": "settings", "settings_tab": "api-keys", "form": form,
        "keys": keys, "minted": minted,
    }, status=status)


@page
def api_keys_page(request, project_id):
    project, rights = project_page(request, project_id, Action.MANAGE_MEMBERS)
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            day = form.cleaned_data["expires_on"]
            expires_at = datetime.combine(day, time.max, tzinfo=dt_timezone.utc) if day else None
            with errors_into(form, {"expires_at": "expires_on"}):
                api_key, raw_key = services.api_key_create(
                    project=project, created_by=request.user, name=form.cleaned_data["name"], role=form.cleaned_data["role"], expires_at=expires_at,
                )
                # Shown on this answer only: only its hash is kept.
                return _render(request, project, rights, ApiKeyForm(), minted=(api_key, raw_key))
        return _render(request, project, rights, form, status=400)
    return _render(request, project, rights, form)


@require_POST
@page
def api_key_revoke(request, key_id):
    api_key = policy.object_for(request.user, ApiKey.objects.all(), key_id, Action.MANAGE_MEMBERS)
    services.api_key_revoke(api_key=api_key, revoked_by=request.user)
    messages.success(request, f"The key {api_key.name} ({api_key.prefix}…) is revoked: it stopped working at once.")
    return redirect("api-keys-page", api_key.project_id)
