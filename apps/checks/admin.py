from django import forms
from django.contrib import admin

from apps.checks import kit as kit_rules
from apps.checks import services
from apps.checks.models import AssetCheck, BrandKit
from apps.core.exceptions import ValidationFailed
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class BrandKitForm(forms.ModelForm):
    """The same rules as REST (apps.checks.kit), with the same messages."""

    class Meta:
        model = BrandKit
        fields = ["project", *services.KIT_FIELDS]

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned.update(kit_rules.validate({field: cleaned[field] for field in services.KIT_FIELDS if field in cleaned}))
        except ValidationFailed as refusal:
            field = refusal.field.split(".")[0].split("[")[0] if refusal.field else None
            self.add_error(field if field in self.fields else None, refusal.message)
        return cleaned


@admin.register(BrandKit)
class BrandKitAdmin(TenantScopedAdmin):
    form = BrandKitForm
    list_display = ["project", "version", "tolerance", "min_brand_share", "logo_required", "updated_at"]
    list_filter = [PROJECT_FILTER]
    list_select_related = ["project"]
    readonly_fields = ["version", "updated_at"]

    def save_model(self, request, obj, form, change):
        """Through the service, so the version goes up and the audit log has the change."""
        if not change:
            super().save_model(request, obj, form, change)
            return
        fields = {field: form.cleaned_data[field] for field in services.KIT_FIELDS if field in form.cleaned_data}
        saved = services.kit_update(project=obj.project, actor=request.user, **fields)
        obj.version, obj.updated_at = saved.version, saved.updated_at


@admin.register(AssetCheck)
class AssetCheckAdmin(TenantScopedAdmin):
    project_path = "asset__project"
    list_display = ["asset", "status", "kit_version", "attempts", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["asset"]
    readonly_fields = ["asset", "status", "results", "kit_version", "recheck", "attempts", "queued_at", "started_at", "finished_at"]
