"""The owners' page form for a project's own placement: shape only. The rules (sizes, bytes, a
ratio a model makes, safe zones, a key not taken) are catalogue.placement_from and the service's,
for the page, REST and the admin alike."""

from django import forms

from apps.placements.catalogue import FORMATS

BANDS = (("top", "top"), ("bottom", "bottom"), ("left", "left"), ("right", "right"))


class ProjectPlacementForm(forms.Form):
    key = forms.CharField(max_length=24, help_text="Lower-case letters, digits and underscores, e.g. shop_banner: the export's folder and the REST key.")
    label = forms.CharField(max_length=120, required=False, help_text="What people read, e.g. Shop banner 1200×400.")
    channel = forms.CharField(max_length=40, required=False, initial="custom", help_text="Groups it in the Placements panel and names its folder in exports.")
    width = forms.IntegerField(help_text="Exact pixels delivered.")
    height = forms.IntegerField()
    max_bytes = forms.IntegerField(label="Byte limit", help_text="The channel's file size limit in bytes, Content Credentials included.")
    formats = forms.MultipleChoiceField(
        choices=[(f, f) for f in FORMATS], initial=["JPEG", "PNG"], widget=forms.CheckboxSelectMultiple,
        help_text="Tried in this order until one fits the limit.", error_messages={"required": "Choose at least one format."},
    )
    # A band kept clear of copy and logos, as a share of the placement's side (the catalogue's Stories: top 14%, bottom 20%).
    top = forms.IntegerField(required=False, label="Keep clear at the top (%)")
    bottom = forms.IntegerField(required=False, label="Keep clear at the bottom (%)")
    left = forms.IntegerField(required=False, label="Keep clear on the left (%)")
    right = forms.IntegerField(required=False, label="Keep clear on the right (%)")

    def placement_data(self) -> dict:
        data = self.cleaned_data
        zones = [{"name": f"{band} {data[band]}%", "band": band, "size": data[band] / 100} for band, _ in BANDS if data.get(band)]
        return {
            "key": data["key"].strip(), "label": data["label"], "channel": data["channel"] or "custom", "width": data["width"],
            "height": data["height"], "max_bytes": data["max_bytes"], "formats": data["formats"], "safe_zones": zones,
        }
