"""The owners' Webhooks page (under the project's Settings): add an endpoint, send it a test,
rotate its secret, delete it, and see its recent deliveries. A secret is shown once, on the page
answering the add or the rotation. Changes go through the services REST uses, so they are audited."""

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps.core.pages import errors_into, page
from apps.projects import policy
from apps.projects.pages import project_page
from apps.projects.policy import Action
from apps.webhooks import services
from apps.webhooks.forms import EndpointForm
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

RECENT_DELIVERIES = 5


def _endpoints(project):
    recent = WebhookDelivery.objects.order_by("-created_at").prefetch_related("attempt_log")
    endpoints = list(project.webhook_endpoints.order_by("created_at").prefetch_related(Prefetch("deliveries", queryset=recent)))
    for endpoint in endpoints:
        endpoint.recent = list(endpoint.deliveries.all())[:RECENT_DELIVERIES]
        for delivery in endpoint.recent:
            attempts = list(delivery.attempt_log.all())
            delivery.last_attempt = attempts[-1] if attempts else None
    return endpoints


def _render(request, project, rights, form, *, shown_secret=None, status=200):
    return render(request, "webhooks/webhooks.html", {
        "project": project, "rights": rights, "section": "settings", "settings_tab": "webhooks", "form": form,
        "endpoints": _endpoints(project), "shown_secret": shown_secret,
        "grace_hours": settings.WEBHOOK_SECRET_GRACE_SECONDS // 3600,
    }, status=status)


@page
def webhooks_page(request, project_id):
    project, rights = project_page(request, project_id, Action.MANAGE_PROJECT)
    form = EndpointForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            with errors_into(form):
                endpoint = services.endpoint_create(project=project, actor=request.user, **form.cleaned_data)
                messages.success(request, f"Webhook added: {endpoint.url}. Copy its signing secret now; it is not shown again.")
                return _render(request, project, rights, EndpointForm(), shown_secret=(endpoint, endpoint.secret))
        return _render(request, project, rights, form, status=400)
    return _render(request, project, rights, form)


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    return policy.object_for(request.user, WebhookEndpoint.objects.all(), endpoint_id, Action.MANAGE_PROJECT)


@require_POST
@page
def webhook_test(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    services.endpoint_test_send(endpoint=endpoint, actor=request.user)
    messages.success(request, f"A test delivery is on its way to {endpoint.url}; its answer shows under Recent deliveries.")
    return redirect("webhooks-page", endpoint.project_id)


@require_POST
@page
def webhook_rotate(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    grace = settings.WEBHOOK_SECRET_GRACE_SECONDS
    endpoint = services.endpoint_secret_rotate(endpoint=endpoint, grace_seconds=grace, actor=request.user)
    messages.success(request, f"New secret for {endpoint.url}. The old one keeps signing for {grace // 3600} hours, "
                              "so switch your receiver to the new one before then. It is not shown again.")
    project, rights = project_page(request, endpoint.project_id, Action.MANAGE_PROJECT)
    return _render(request, project, rights, EndpointForm(), shown_secret=(endpoint, endpoint.secret))


@require_POST
@page
def webhook_delete(request, endpoint_id):
    endpoint = _endpoint(request, endpoint_id)
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, f"Webhook {endpoint.url} deleted; nothing more is sent to it.")
    return redirect("webhooks-page", endpoint.project_id)
