from django import forms

from apps.library.models import DESCRIPTION_MAX_CHARS, NAME_MAX_CHARS, EntryKind


class EntryForm(forms.Form):
    kind = forms.ChoiceField(choices=EntryKind.choices, initial=EntryKind.CHARACTER)
    name = forms.CharField(max_length=NAME_MAX_CHARS)
    description = forms.CharField(
        max_length=DESCRIPTION_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Sent with every job that uses this entry, e.g. “red-haired barista, green apron”.",
    )


class EntryEditForm(EntryForm):
    kind = None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class ReferenceUploadForm(forms.Form):
    images = MultipleFileField(label="Images", widget=MultipleFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}))
