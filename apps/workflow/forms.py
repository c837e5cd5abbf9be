import zoneinfo
from datetime import datetime

from django import forms
from django.utils import timezone

from apps.workflow.models import NOTE_MAX_CHARS, TIME_ZONES, Delivery, Event


class AssignForm(forms.Form):
    """Assign deciding members to what the page holds (an asset, a selection, a campaign stage).
    The due date is typed in the viewer's own time zone."""

    assignees = forms.MultipleChoiceField(label="Reviewers", choices=(), widget=forms.CheckboxSelectMultiple,
                                          error_messages={"required": "Choose at least one reviewer."})
    due_at = forms.DateTimeField(label="Due", required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
                                 widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    note = forms.CharField(label="Note", required=False, max_length=NOTE_MAX_CHARS, widget=forms.TextInput())

    def __init__(self, *args, deciders=(), tz=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.tz = tz or zoneinfo.ZoneInfo("UTC")
        self.fields["assignees"].choices = [(str(user.pk), user.get_username()) for user in deciders]
        self.fields["due_at"].help_text = f"In your time zone ({self.tz.key}); optional."

    def clean_due_at(self):
        value: datetime | None = self.cleaned_data["due_at"]
        if value is None:
            return None
        return timezone.make_aware(value.replace(tzinfo=None), self.tz)


class NotificationSettingsForm(forms.Form):
    time_zone = forms.ChoiceField(label="Time zone", choices=[(name, name) for name in TIME_ZONES])
    digest_hour = forms.TypedChoiceField(label="Daily digest at", coerce=int, choices=[(hour, f"{hour:02d}:00") for hour in range(24)],
                                         help_text="In your time zone.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for event in Event:
            self.fields[f"event_{event.value}"] = forms.ChoiceField(label=event.label, choices=Delivery.choices)

    def events(self) -> dict:
        return {event: self.cleaned_data[f"event_{event}"] for event in Event.values}
