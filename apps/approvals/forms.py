from django import forms

from apps.approvals import policy
from apps.approvals.models import COMMENT_MAX_CHARS, WAIVER_MAX_CHARS, Decision
from apps.core.pages import count_characters


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    comment = forms.CharField(label="Comment", max_length=COMMENT_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=policy.comment_rule_text())
    waiver = forms.CharField(label="Waiver", max_length=WAIVER_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="To approve anyway, say why. Kept in the decision history, the audit log and the Content Credentials.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["comment"])
        count_characters(self.fields["waiver"])
