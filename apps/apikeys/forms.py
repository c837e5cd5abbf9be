"""The API keys page's form. It parses; the rules (no owner keys, a future expiry, no keys made by
keys) stay in services.api_key_create, which REST calls too."""

from django import forms

from apps.apikeys.models import ApiKey, KeyRole


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=ApiKey._meta.get_field("name").max_length, help_text="What uses it, e.g. “CMS export”.")
    role = forms.ChoiceField(choices=KeyRole.choices, initial=KeyRole.VIEWER, help_text="A key is never owner.")
    expires_on = forms.DateField(
        required=False, label="Expires on", widget=forms.DateInput(attrs={"type": "date"}),
        help_text="The key stops working at the end of this day (UTC). Empty: until revoked.",
    )
