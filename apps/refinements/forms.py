"""The Refine panel's form. It parses; the rules (settings per model, the image limit, budget)
stay in `services.refinement_create`, whose refusals the panel shows."""

import uuid

from django import forms

from apps.gemini import catalogue
from apps.refinements.services import RefineInput


class RefineForm(forms.Form):
    prompt = forms.CharField(label="Next instruction", max_length=catalogue.MAX_PROMPT_CHARS, widget=forms.Textarea(attrs={"rows": 2}))
    aspect_ratio = forms.CharField(label="Aspect ratio", required=False, max_length=8)
    image_size = forms.CharField(label="Size", required=False, max_length=8)
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    target = forms.UUIDField(widget=forms.HiddenInput, required=False)  # the image refined: the newest the panel shows

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("request_key", uuid.uuid4().hex)

    def to_input(self) -> RefineInput:
        data = self.cleaned_data
        return RefineInput(prompt=data["prompt"], aspect_ratio=data["aspect_ratio"] or None, image_size=data["image_size"] or None)
