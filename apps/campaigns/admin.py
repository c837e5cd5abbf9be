from django.contrib import admin

from apps.campaigns.models import Campaign, StageRun
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class StageRunInline(admin.TabularInline):
    model = StageRun
    extra = 0
    fields = readonly_fields = ["stage", "jobs_created", "estimate_usd", "created_by", "created_at", "finished_at"]
    can_delete = False


@admin.register(Campaign)
class CampaignAdmin(TenantScopedAdmin):
    """A record of what was asked and run; campaigns are made and run on the pages or over REST."""

    list_display = ["name", "project", "variations", "draft_model", "draft_size", "final_model", "final_size", "created_by", "created_at"]
    list_filter = [PROJECT_FILTER, "created_at"]
    list_select_related = ["project", "created_by"]
    search_fields = ["name", "id"]
    inlines = [StageRunInline]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Campaign._meta.concrete_fields] + ["products", "characters"]

    def has_add_permission(self, request):
        return False
