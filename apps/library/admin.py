from django.contrib import admin

from apps.library.models import LibraryEntry, ReferenceImage
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class ReferenceImageInline(admin.TabularInline):
    model = ReferenceImage
    extra = 0
    fields = ["id", "mime_type", "width", "height", "size_bytes", "sha256", "created_at", "archived_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(LibraryEntry)
class LibraryEntryAdmin(TenantScopedAdmin):
    list_display = ["name", "kind", "project", "created_at", "archived_at"]
    list_filter = ["kind", PROJECT_FILTER]
    list_select_related = ["project"]
    search_fields = ["name", "description"]
    inlines = [ReferenceImageInline]
