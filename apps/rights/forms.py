from django import forms

from apps.rights.models import HOLDER_MAX_CHARS, REASON_MAX_CHARS, RightKind


class RightForm(forms.Form):
    """A right as a person types it; the rules are apps.rights.services.right_fields_clean's (errors_into shows them)."""

    images = forms.MultipleChoiceField(label="On the reference images", required=False, widget=forms.CheckboxSelectMultiple,
                                       help_text="A release usually covers every picture of the person.")
    holder = forms.CharField(label="Holder", max_length=HOLDER_MAX_CHARS, help_text="Who grants it: the person released, the agency, the photographer.")
    kind = forms.ChoiceField(label="Kind", choices=RightKind.choices)
    territories = forms.CharField(label="Territories", required=False, help_text="Country codes separated by commas (DE, AT, CH); empty: worldwide.")
    channels = forms.CharField(label="Channels", required=False, help_text="Placement channels separated by commas (instagram, web); empty: all.")
    starts_on = forms.DateField(label="Starts", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Ends", required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Empty: does not end.")
    licence = forms.CharField(label="Licence text or reference", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    document = forms.FileField(label="Signed document", required=False, help_text="PDF or image, kept private.")
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, images=(), **kwargs):
        super().__init__(*args, **kwargs)
        if images:
            self.fields["images"].choices = [(str(image.pk), f"Image {number}") for number, image in enumerate(images, 1)]
            self.fields["images"].initial = [str(image.pk) for image in images]
            self.fields["images"].required = True
        else:
            del self.fields["images"]

    def right_fields(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name not in ("images", "document")}


class OverrideForm(forms.Form):
    reason = forms.CharField(label="Reason", max_length=REASON_MAX_CHARS, help_text="Who agreed, and where it is written down.")
    until = forms.DateField(label="Until", widget=forms.DateInput(attrs={"type": "date"}))


class ExpiringForm(forms.Form):
    days = forms.IntegerField(label="Ending within (days)", min_value=0, max_value=3650, required=False, initial=30)


class PolicyForm(forms.Form):
    require_on_references = forms.BooleanField(label="Require rights on every new reference image", required=False)
