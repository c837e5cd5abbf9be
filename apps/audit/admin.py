from django.contrib import admin

from apps.audit.models import AuditEvent
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin
from apps.projects.policy import Action


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    tenant_action = Action.VIEW_AUDIT
    list_display = ["created_at", "project", "actor_name", "action", "target"]
    list_filter = ["action", PROJECT_FILTER]
    list_select_related = ["project"]
    readonly_fields = ["created_at", "project", "actor_name", "action", "target", "before", "after"]
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
