from django.contrib import admin

from apps.generations.models import Generation, GenerationReference, GenerationSource
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class GenerationSourceInline(admin.TabularInline):
    model = GenerationSource
    extra = 0
    readonly_fields = ["asset", "position"]
    can_delete = False


class GenerationReferenceInline(admin.TabularInline):
    model = GenerationReference
    extra = 0
    readonly_fields = ["reference_image", "label", "sha256", "position"]
    can_delete = False


@admin.register(Generation)
class GenerationAdmin(TenantScopedAdmin):
    list_display = ["id", "project", "kind", "model", "aspect_ratio", "image_size", "status", "attempts", "cost_usd", "created_by", "created_at"]
    list_filter = ["status", "kind", "model", PROJECT_FILTER, "created_at"]
    list_select_related = ["project", "created_by"]
    search_fields = ["prompt", "id", "response_id"]
    date_hierarchy = "created_at"
    inlines = [GenerationSourceInline, GenerationReferenceInline]

    def get_readonly_fields(self, request, obj=None):
        # A job is a record of what happened: nothing on it is edited by hand.
        return [field.name for field in Generation._meta.concrete_fields]

    def has_add_permission(self, request):
        return False
