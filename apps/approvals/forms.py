from django import forms

from apps.approvals.models import COMMENT_MAX_CHARS, Decision
from apps.core.pages import count_characters


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices)
    comment = forms.CharField(label="Comment", max_length=COMMENT_MAX_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text="Required to reject or request changes: say what should change.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["comment"])

    @property
    def comment_required_for(self) -> str:
        """The decisions that need a comment, for the form's markup (static/js/review.js reads it)."""
        from apps.approvals.services import COMMENT_REQUIRED

        return " ".join(COMMENT_REQUIRED)
