"""The Webhooks page's form. It parses; the rules (allowed events, which URLs may be called) stay
in services.endpoint_create, which REST calls too."""

from django import forms

from apps.webhooks.events import EVENTS


class EndpointForm(forms.Form):
    url = forms.URLField(max_length=500, label="Receiver URL", assume_scheme="https",
                         help_text="https:// address of your receiver; private and loopback addresses are refused.")
    events = forms.MultipleChoiceField(
        choices=[(event, event) for event in EVENTS], widget=forms.CheckboxSelectMultiple, label="Events",
        error_messages={"required": "Choose at least one event to send."},
    )
