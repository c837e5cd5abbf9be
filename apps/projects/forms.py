"""Page forms for members, invitations and the project's settings. They parse; the rules (the last
owner, who may invite, what a budget may be) stay in the services, which the REST API calls too."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

from apps.core.pages import count_characters
from apps.projects.models import Role


class InviteForm(forms.Form):
    email = forms.EmailField(max_length=254, label="Email address", help_text="They get a link to accept; it works for 7 days.")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class SignUpForm(UserCreationForm):
    """An account for the invited address: the email is the invitation's, never typed."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username",)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        if get_user_model().objects.filter(email__iexact=self.email).exists():
            raise forms.ValidationError("An account with this address exists already: log in with it to accept.")
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.email = self.email
        if commit:
            user.save()
        return user


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200, label="Project name")
    brief = forms.CharField(
        max_length=4000, required=False, label="Brand brief", widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Sent as the system instruction of every generation: style, tone, colours, things to avoid.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["brief"])


class BudgetForm(forms.Form):
    monthly_budget_usd = forms.DecimalField(
        label="Monthly budget (USD)", required=False, min_value=0, max_digits=10, decimal_places=2,
        help_text="Empty: no budget. New jobs are refused once this month's spend would pass it.",
    )
    budget_alert_percent = forms.IntegerField(
        label="Alert at (% of the budget)", required=False, min_value=1, max_value=100,
        help_text="Empty: no alert. Once a month, the owners get an email and webhooks the event project.budget_alert.",
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("budget_alert_percent") is not None and cleaned.get("monthly_budget_usd") is None and not self.errors:
            self.add_error("budget_alert_percent", "An alert needs a budget to measure against: set the monthly budget too, or leave this empty.")
        return cleaned


class CredentialsForm(forms.Form):
    credentials_include_prompt = forms.BooleanField(required=False, label="The prompt text")
    credentials_include_names = forms.BooleanField(required=False, label="Names: maker, reviewers, the project and reference entries")
    credentials_include_comments = forms.BooleanField(required=False, label="Review comments")
