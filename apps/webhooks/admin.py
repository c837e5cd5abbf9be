from django import forms
from django.contrib import admin, messages

from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin
from apps.projects.policy import Action
from apps.webhooks import services
from apps.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint
from apps.webhooks.safety import Refused, destination_for


class WebhookEndpointAdminForm(forms.ModelForm):
    url = forms.URLField(max_length=500, assume_scheme="https")

    class Meta:
        model = WebhookEndpoint
        fields = ["project", "url", "events", "is_active"]

    def clean_url(self):
        """The services' check, as a form error: no private, loopback or metadata address is stored."""
        url = self.cleaned_data["url"]
        try:
            destination_for(url)
        except Refused as refusal:
            raise forms.ValidationError(str(refusal)) from refusal
        return url


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantScopedAdmin):
    """Saves go through apps.webhooks.services: the same URL and event checks as REST, audited.
    Secrets are not shown or edited here: made and rotated over REST, shown once."""

    form = WebhookEndpointAdminForm
    tenant_action = Action.MANAGE_PROJECT  # as over REST: webhooks are the owner's
    list_display = ["url", "project", "events", "is_active", "created_at"]
    list_filter = ["is_active", PROJECT_FILTER]
    list_select_related = ["project"]

    def save_model(self, request, obj, form, change):
        if change:
            fields = {name: form.cleaned_data[name] for name in form.changed_data if name in ("url", "events", "is_active")}
            if fields:
                services.endpoint_update(endpoint=WebhookEndpoint.objects.select_related("project").get(pk=obj.pk), actor=request.user, **fields)
        else:
            created = services.endpoint_create(project=obj.project, url=obj.url, events=obj.events, actor=request.user)
            obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db
            if not obj.is_active:
                services.endpoint_update(endpoint=created, actor=request.user, is_active=False)

    def delete_model(self, request, obj):
        services.endpoint_delete(endpoint=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for endpoint in queryset.select_related("project"):
            services.endpoint_delete(endpoint=endpoint, actor=request.user)


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ["attempted_at", "response_code", "duration_ms", "error"]


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(TenantScopedAdmin):
    project_path = "endpoint__project"
    tenant_action = Action.MANAGE_PROJECT
    list_display = ["event", "endpoint", "status", "attempts", "created_at", "delivered_at"]
    list_filter = ["status", "event", "created_at"]
    list_select_related = ["endpoint"]
    readonly_fields = ["endpoint", "event", "payload", "status", "attempts", "next_attempt_at", "created_at", "delivered_at"]
    inlines = [DeliveryAttemptInline]
    actions = ["redeliver"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Redeliver selected deliveries", permissions=["change"])
    def redeliver(self, request, queryset):
        for delivery in queryset:
            services.delivery_redeliver(delivery=delivery)
        messages.success(request, f"{queryset.count()} delivery(ies) queued again.")
