from django import forms
from django.contrib import admin, messages
from django.http import Http404

from apps.audit.models import AuditEvent
from apps.core.exceptions import ApplicationError
from apps.projects import policy, services
from apps.projects.models import Membership, Project, Role

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
    """Shown, not edited here: membership changes go through Memberships (and so through the
    services' rules and the audit log)."""

    model = Membership
    extra = 0
    fields = readonly_fields = ["user", "role", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(TenantScopedAdmin):
    """Saves go through apps.projects.services: a new project gets its creator as owner, and a
    change of name, brief, budget or Content Credentials settings is audited as over REST."""

    project_path = "pk"
    list_display = ["name", "created_by", "created_at"]
    search_fields = ["name"]
    inlines = [MembershipInline]
    fields = ["id", "name", "brief", "monthly_budget_usd", "budget_alert_percent", "credentials_include_prompt", "created_by", "created_at", "updated_at"]
    readonly_fields = ["id", "created_by", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        values = {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}
        if change:
            services.project_update(project=obj, actor=request.user, **values)
        else:
            created = services.project_create(user=request.user, **{name: form.cleaned_data[name] for name in form.fields if name in form.cleaned_data})
            obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db

    def has_delete_permission(self, request, obj=None):
        """As services.project_delete: a project holding assets or library entries stays."""
        if obj is not None and (obj.assets.exists() or obj.library_entries.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.project_delete(project=obj)


class MembershipAdminForm(forms.ModelForm):
    """The services' rules as form errors, before saving: a key's principal keeps its key's role,
    and a project keeps an owner (checked again under the project's lock when saving)."""

    class Meta:
        model = Membership
        fields = ["project", "user", "role"]

    def clean(self):
        data = super().clean()
        user, project = data.get("user"), data.get("project")
        if user is not None and policy.is_key_principal(user):
            raise forms.ValidationError("This is a project API key's principal: manage it as an API key, not as a member.")
        if self.instance.pk and self.instance.role == Role.OWNER and data.get("role") != Role.OWNER:
            if not Membership.objects.filter(project_id=self.instance.project_id, role=Role.OWNER).exclude(pk=self.instance.pk).exists():
                self.add_error("role", "A project must keep at least one owner; make someone else owner first.")
        if self.instance.pk and (project != self.instance.project or user != self.instance.user):
            raise forms.ValidationError("A membership's project and user do not change: remove it and invite again.")
        return data


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Saves and deletes go through apps.projects.services (the last-owner rule, the audit log)."""

    form = MembershipAdminForm
    list_display = ["project", "user", "role", "created_at"]
    list_filter = ["role", PROJECT_FILTER]
    list_select_related = ["project", "user"]
    search_fields = ["user__username", "project__name"]

    def save_model(self, request, obj, form, change):
        if change:
            services.member_update(membership=Membership.objects.select_related("project", "user").get(pk=obj.pk), role=obj.role, actor=request.user)
        else:
            created = services.member_add(project=obj.project, user=obj.user, role=obj.role, actor=request.user)
            obj.pk, obj._state.adding, obj._state.db = created.pk, False, created._state.db

    def has_delete_permission(self, request, obj=None):
        """The last owner's membership cannot be deleted (services.member_remove's rule)."""
        if obj is not None and obj.role == Role.OWNER:
            if not Membership.objects.filter(project_id=obj.project_id, role=Role.OWNER).exclude(pk=obj.pk).exists():
                return False
        return super().has_delete_permission(request, obj)

    def delete_model(self, request, obj):
        services.member_remove(membership=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("project", "user"):
            try:
                services.member_remove(membership=membership, actor=request.user)
            except ApplicationError as refusal:
                messages.error(request, f"{membership}: {refusal.message}")


# The audit log's admin lives here, beside the tenant scoping it uses (apps.audit is below projects).
@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    """Read-only for everyone, superusers included: the log is append-only."""

    tenant_action = policy.Action.VIEW_AUDIT
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
