from django.contrib import admin

from apps.batches.models import BatchRequest, UpstreamBatch
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class BatchRequestInline(admin.TabularInline):
    model = BatchRequest
    extra = 0
    readonly_fields = ["generation", "output_index"]
    can_delete = False


@admin.register(UpstreamBatch)
class UpstreamBatchAdmin(TenantScopedAdmin):
    """Operators see which upstream batches are open, their state and when they were last checked."""

    list_display = ["id", "project", "model", "state", "upstream_name", "created_at", "last_checked_at", "collected_at"]
    list_filter = ["state", "model", PROJECT_FILTER]
    list_select_related = ["project"]
    search_fields = ["id", "upstream_name"]
    inlines = [BatchRequestInline]

    def get_readonly_fields(self, request, obj=None):
        # A record of what was sent upstream: nothing here is edited by hand.
        return [field.name for field in UpstreamBatch._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
