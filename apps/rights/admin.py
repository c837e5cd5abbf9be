from datetime import timedelta

from django import forms
from django.contrib import admin
from django.utils import timezone

from apps.assets.models import Asset
from apps.core.exceptions import ValidationFailed
from apps.projects import policy
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin
from apps.rights import services
from apps.rights.models import EffectiveRights, Right


class RightAdminForm(forms.ModelForm):
    """The same rules as REST and the pages (apps.rights.services.right_fields_clean), with the same messages."""

    class Meta:
        model = Right
        fields = ["project", "reference_image", "asset", *services.RIGHT_FIELDS]

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(services.right_fields_clean({name: cleaned.get(name) for name in services.RIGHT_FIELDS},
                                                       current=self.instance if self.instance.pk else None))
        except ValidationFailed as refusal:
            self.add_error(refusal.field if refusal.field in self.fields else None, refusal.message)
        return cleaned


@admin.register(Right)
class RightAdmin(TenantScopedAdmin):
    """Owners and editors change rights here as on the pages: every save is audited and recomputes the descendants."""

    form = RightAdminForm
    list_display = ["holder", "kind", "reference_image", "asset", "territories", "starts_on", "ends_on", "project"]
    list_filter = ["kind", PROJECT_FILTER]
    list_select_related = ["project", "reference_image__entry", "asset"]
    search_fields = ["holder", "licence", "notes"]
    raw_id_fields = ["reference_image", "asset"]

    def _may_edit(self, request, obj) -> bool:
        if request.user.is_superuser:
            return True
        projects = policy.projects_for(request.user, policy.Action.MANAGE_LIBRARY)
        return projects.exists() if obj is None else projects.filter(pk=obj.project_id).exists()

    def has_change_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._may_edit(request, obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.RIGHT_FIELDS if name in form.cleaned_data}
        if change:
            services.right_update(right=Right.objects.get(pk=obj.pk), user=request.user, fields=fields)
        else:
            saved = services.right_create(project=obj.project, user=request.user, fields=fields, reference_image=obj.reference_image, asset=obj.asset)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.right_delete(right=obj, user=request.user)


class RightsStateFilter(admin.SimpleListFilter):
    title = "rights"
    parameter_name = "rights"
    path = ""  # from the filtered model to EffectiveRights' fields

    def lookups(self, request, model_admin):
        return [("expired", "Expired"), ("expiring", "Ending within 30 days"), ("overridden", "Overridden")]

    def queryset(self, request, queryset):
        today, p = timezone.localdate(), self.path
        if self.value() == "expired":
            return queryset.filter(**{f"{p}ends_on__lt": today}).exclude(**{f"{p}override_until__gte": today})
        if self.value() == "expiring":
            return queryset.filter(**{f"{p}ends_on__gte": today, f"{p}ends_on__lte": today + timedelta(days=30)})
        if self.value() == "overridden":
            return queryset.filter(**{f"{p}override_until__gte": today})
        return queryset


class AssetRightsFilter(RightsStateFilter):
    """The same filter on the reviewers' asset list (added from here: approvals never names rights)."""

    path = "effective_rights__"


@admin.register(EffectiveRights)
class EffectiveRightsAdmin(TenantScopedAdmin):
    project_path = "asset__project"
    list_display = ["asset", "starts_on", "ends_on", "territories", "channels", "override_until", "computed_at"]
    list_filter = [RightsStateFilter]
    list_select_related = ["asset__generation"]
    readonly_fields = ["asset", "starts_on", "ends_on", "territories", "channels", "sources", "limiting", "computed_at",
                       "override_reason", "override_until", "override_by", "override_at", "expiry_announced_for", "warned_for", "warned_days"]


asset_admin = admin.site._registry.get(Asset)
if asset_admin is not None and AssetRightsFilter not in asset_admin.list_filter:
    asset_admin.list_filter = [*asset_admin.list_filter, AssetRightsFilter]
