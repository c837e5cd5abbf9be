from django import forms

from apps.approvals import policy
from apps.approvals.models import COMMENT_MAX_CHARS, Decision
from apps.core.pages import count_characters


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    comment = forms.CharField(label="Comment", max_length=COMMENT_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=policy.comment_rule_text())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["comment"])
