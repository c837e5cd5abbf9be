from django import forms

from apps.assets.models import ReviewStatus
from apps.gemini import catalogue
from apps.generations.models import Kind


class GalleryFilterForm(forms.Form):
    review_status = forms.ChoiceField(label="Review", required=False, choices=[("", "Any")] + ReviewStatus.choices)
    kind = forms.ChoiceField(label="Kind", required=False, choices=[("", "Any")] + Kind.choices)
    model = forms.ChoiceField(label="Model", required=False, choices=[("", "Any")] + [(m.model_id, m.label) for m in catalogue.MODELS])
    entry = forms.TypedChoiceField(label="Character or object", required=False, empty_value=None)
    created_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    created_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, entries=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].choices = [("", "Any")] + [(str(e.pk), f"{e.name} ({e.get_kind_display().lower()})") for e in entries]

    def filters(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if value} if self.is_valid() else {}
