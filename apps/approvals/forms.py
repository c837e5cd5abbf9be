from django import forms

from apps.approvals.models import Decision


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    comment = forms.CharField(max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Required to reject or request changes: say what should change.")
