from django.contrib import admin
from django.http import Http404

from apps.projects import policy
from apps.projects.models import Membership, Project

# A project filter that offers only the projects of rows the user may see; Django's default
# RelatedFieldListFilter would list every tenant's project name in the sidebar.
PROJECT_FILTER = ("project", admin.RelatedOnlyFieldListFilter)


class TenantScopedAdmin(admin.ModelAdmin):
    """The admin's tenant wall, as the REST API has it.

    Non-superusers see only rows of projects where they hold a role (`tenant_projects`; the
    reviewers' admin narrows it), and a row of another project is 404 exactly like a row that does
    not exist. Changing rows here is for superusers; members change things over REST, where each
    role's rights are checked by apps.projects.policy.
    """

    project_path = "project"
    tenant_action = policy.Action.VIEW  # the REST right a member needs to see these rows

    def tenant_projects(self, request):
        return policy.projects_for(request.user, self.tenant_action)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.project_path}__in": self.tenant_projects(request)})

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:  # absent, or another tenant's: the same answer
            raise Http404("Not found.")
        return obj

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Project)
class ProjectAdmin(TenantScopedAdmin):
    project_path = "pk"
    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    readonly_fields = ["id", "created_at", "updated_at"]


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role", PROJECT_FILTER]
    list_select_related = ["project", "user"]
    search_fields = ["user__username", "project__name"]
