from django import forms

from apps.approvals.models import COMMENT_MAX_CHARS
from apps.assets.models import TITLE_MAX_CHARS, ReviewStatus
from apps.assets.services import tag_names_parse
from apps.checks.models import CheckStatus
from apps.core.exceptions import ValidationFailed
from apps.core.pages import count_characters
from apps.gemini import catalogue
from apps.generations.templatetags.asset_pages import page_kinds

# The gallery's kinds, as the pages name them (a generate job made from an asset is a variation).
KIND_FILTER_CHOICES = [("", "Any")] + page_kinds()


class GalleryFilterForm(forms.Form):
    search = forms.CharField(label="Search prompts and titles", required=False, max_length=200,
                             widget=forms.TextInput(attrs={"type": "search"}))
    review_status = forms.ChoiceField(label="Review", required=False, choices=[("", "Any")] + ReviewStatus.choices)
    checks = forms.ChoiceField(label="Brand checks", required=False, choices=[("", "Any")] + CheckStatus.choices)
    rights = forms.ChoiceField(label="Rights", required=False, choices=[("", "Any"), ("expiring", "Ending within 30 days"), ("expired", "Expired")])
    kind = forms.ChoiceField(label="Kind", required=False, choices=KIND_FILTER_CHOICES)
    model = forms.ChoiceField(label="Model", required=False, choices=[("", "Any")] + [(m.model_id, m.label) for m in catalogue.MODELS])
    entry = forms.TypedChoiceField(label="Character or object", required=False, empty_value=None)
    tag = forms.ChoiceField(label="Tag", required=False)
    campaign = forms.TypedChoiceField(label="Campaign", required=False, empty_value=None)
    favourites = forms.BooleanField(label="My favourites", required=False)
    created_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, entries=(), tags=(), campaigns=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "Any")] + [(str(e.pk), f"{e.name} ({e.get_kind_display().lower()})") for e in entries]
        self.fields["tag"].choices = [("", "Any")] + [(t, t) for t in tags]
        # (id, name) pairs: the project's campaigns (assets do not import campaigns; the view passes them).
        self.fields["campaign"].choices = [("", "Any")] + [(str(pk), name) for pk, name in campaigns]

    def clean(self):
        data = super().clean()
        start, end = data.get("created_from"), data.get("created_to")
        if start and end and start > end:
            self.add_error("created_to", f"“To” ({end:%Y-%m-%d}) is before “From” ({start:%Y-%m-%d}); pick a To date on or after From.")
        return data

    def filters(self, *, user) -> dict:
        """The valid filters as asset_list arguments; an invalid form filters nothing (its errors show)."""
        if not self.is_valid():
            return {}
        data = {name: value for name, value in self.cleaned_data.items() if value}
        if data.pop("favourites", False):
            data["favourites_of"] = user
        return data

    @property
    def active(self) -> bool:
        return self.is_bound and any(value for name, value in self.data.items() if name != "after")


class TagsField(forms.CharField):
    """Comma-separated tags, cleaned by the one rule in apps.assets.services."""

    def clean(self, value):
        value = super().clean(value)
        try:
            return tag_names_parse(value or "")
        except ValidationFailed as error:
            raise forms.ValidationError(error.message) from error


class AssetDetailsForm(forms.Form):
    title = forms.CharField(label="Title", max_length=TITLE_MAX_CHARS, required=False,
                            help_text="Empty: the start of the prompt is shown.")
    tags = TagsField(label="Tags", required=False, help_text="Separate tags with commas, e.g. summer, hero, de-market.")


class BulkForm(forms.Form):
    """A gallery selection and what to do with it; which assets the user may touch is the view's job."""

    ACTIONS = [("approve", "Approve"), ("approve_passing", "Approve all that pass"), ("reject", "Reject"), ("tag", "Add tags"), ("download", "Download zip")]
    MAX_ASSETS = 200

    action = forms.ChoiceField(choices=ACTIONS)
    assets = forms.MultipleChoiceField(label="Selection", choices=())
    comment = forms.CharField(label="Comment", required=False, max_length=COMMENT_MAX_CHARS)
    tags = TagsField(label="Tags", required=False)

    def __init__(self, *args, asset_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assets"].choices = [(str(pk), str(pk)) for pk in asset_ids]
        count_characters(self.fields["comment"])

    def clean_assets(self):
        chosen = self.cleaned_data["assets"]
        if len(chosen) > self.MAX_ASSETS:
            raise forms.ValidationError(f"Select at most {self.MAX_ASSETS} assets at once; {len(chosen)} are selected.")
        return chosen

    def clean(self):
        data = super().clean()
        if data.get("action") == "tag" and not data.get("tags"):
            self.add_error("tags", "Type at least one tag to add.")
        return data
