from django.contrib import admin, messages

from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin
from apps.projects.policy import Action
from apps.webhooks import services
from apps.webhooks.models import DeliveryAttempt, WebhookDelivery, WebhookEndpoint


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantScopedAdmin):
    tenant_action = Action.MANAGE_PROJECT  # as over REST: webhooks are the owner's
    list_display = ["url", "project", "events", "is_active", "created_at"]
    list_filter = ["is_active", PROJECT_FILTER]
    list_select_related = ["project"]
    exclude = ["secret", "previous_secret"]  # shown once, over REST, when made or rotated


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
