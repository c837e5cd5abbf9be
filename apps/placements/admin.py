from django import forms
from django.contrib import admin

from apps.core.exceptions import ValidationFailed
from apps.placements import catalogue
from apps.placements.models import ProjectPlacement
from apps.projects.admin import PROJECT_FILTER, TenantScopedAdmin


class ProjectPlacementForm(forms.ModelForm):
    """The same rules as REST (catalogue.placement_from), with the same messages."""

    class Meta:
        model = ProjectPlacement
        fields = ["project", "key", "channel", "label", "width", "height", "max_bytes", "formats", "safe_zones", "dpi"]

    def clean(self):
        cleaned = super().clean()
        try:
            placement = catalogue.placement_from({**cleaned, "ratio": None}, custom=True)
        except ValidationFailed as refusal:
            field = refusal.field if refusal.field in self.fields else None
            self.add_error(field, refusal.message)
            return cleaned
        if catalogue.catalogue_placement(placement.key):
            self.add_error("key", f"The key {placement.key!r} is the catalogue's; choose another.")
        self.instance.ratio = placement.ratio
        cleaned["formats"] = list(placement.formats)
        return cleaned


@admin.register(ProjectPlacement)
class ProjectPlacementAdmin(TenantScopedAdmin):
    form = ProjectPlacementForm
    list_display = ["key", "project", "channel", "label", "width", "height", "ratio", "max_bytes"]
    list_filter = [PROJECT_FILTER, "channel"]
    list_select_related = ["project"]
    readonly_fields = ["ratio", "created_by", "created_at"]
