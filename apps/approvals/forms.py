import json

from django import forms

from apps.approvals import policy
from apps.approvals.models import COMMENT_MAX_CHARS, WAIVER_MAX_CHARS, Decision
from apps.assets import regions
from apps.core.pages import count_characters
from apps.gemini import catalogue


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


class CommentForm(forms.Form):
    """A comment from a page: the pin arrives as JSON from the drawing tool (pins.js); the rule
    that checks it is the REST one (apps.approvals.comments.pin_checked, called by the service)."""

    body = forms.CharField(label="Comment", max_length=COMMENT_MAX_CHARS, widget=forms.Textarea(attrs={"rows": 2}))
    pin = forms.CharField(required=False, widget=forms.HiddenInput)
    parent = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["body"])

    def clean_pin(self):
        text = self.cleaned_data["pin"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError('The pin could not be read: draw it again on the image (a point or a box).') from None


class CommentApplyForm(forms.Form):
    """Apply as edit: the editor may reword the comment before it becomes the instruction."""

    prompt = forms.CharField(label="Instruction", max_length=catalogue.MAX_PROMPT_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    mode = forms.ChoiceField(choices=regions.MODE_CHOICES, initial="crop")
