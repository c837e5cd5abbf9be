"""Page forms for jobs. They parse; the rules (what each model allows, limits, budget) stay in
`services.generation_create` and `gemini.checks`, whose refusals land next to these fields."""

import uuid

from django import forms

from apps.gemini import catalogue, kinds
from apps.generations.models import Delivery, Kind
from apps.generations.services import GenerationInput, source_format

ALL_SIZES = tuple(catalogue.SIZE_SCALE)
# Where a rule names an API field, the page shows it next to this form field.
FIELD_FOR_RULE = {"grounding.web": "web_search", "grounding.image": "image_search", "source_assets": "characters"}


class GenerateForm(forms.Form):
    prompt = forms.CharField(max_length=catalogue.MAX_PROMPT_CHARS, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Describe the image. Characters and objects you pick below are sent as reference images.")
    model = forms.ChoiceField(choices=[(m.alias, m.label) for m in catalogue.MODELS], initial=catalogue.DEFAULT_MODEL)
    image_size = forms.ChoiceField(label="Size", choices=[(s, s) for s in ALL_SIZES],
                                   initial=catalogue.get_model(catalogue.DEFAULT_MODEL).default_size,
                                   help_text=f"Draft at {ALL_SIZES[0]} and re-render the keeper at {' or '.join(catalogue.UPSCALE_SIZES)}.")
    aspect_ratio = forms.ChoiceField(label="Aspect ratio", choices=[(r, r) for r in catalogue.PIXELS_1K], initial=catalogue.DEFAULT_ASPECT_RATIO)
    thinking_level = forms.ChoiceField(label="Thinking level", required=False,
                                       choices=[("", "Model default")] + [(t, t) for t in catalogue.THINKING_LEVELS])
    web_search = forms.BooleanField(label="Ground with Google web search", required=False)
    image_search = forms.BooleanField(label="Ground with Google image search", required=False)
    characters = forms.TypedMultipleChoiceField(coerce=uuid.UUID, required=False)
    objects = forms.TypedMultipleChoiceField(coerce=uuid.UUID, required=False)
    count = forms.IntegerField(label="Images", min_value=1, max_value=catalogue.MAX_VARIATIONS, initial=1)
    delivery = forms.ChoiceField(
        label="Delivery", choices=Delivery.choices, initial=Delivery.INTERACTIVE, widget=forms.RadioSelect, required=False,
        help_text=f"Batch costs half and arrives in {catalogue.BATCH_TURNAROUND}; the job waits queued meanwhile.",
    )
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, characters=(), objects=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["characters"].choices = [(str(e.pk), e.name) for e in characters]
        self.fields["objects"].choices = [(str(e.pk), e.name) for e in objects]
        self.initial.setdefault("request_key", uuid.uuid4().hex)

    def to_input(self) -> GenerationInput:
        data = dict(self.cleaned_data)
        data.pop("request_key")
        return GenerationInput(
            kind=Kind.GENERATE, thinking_level=data.pop("thinking_level") or None, delivery=data.pop("delivery") or Delivery.INTERACTIVE, **data
        )


class DeriveForm(forms.Form):
    """One form for the asset page's actions: edit, translate, upscale, variations."""

    ACTIONS = ("edit", "translate", "upscale", "variations")

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    prompt = forms.CharField(max_length=catalogue.MAX_PROMPT_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    target_language = forms.ChoiceField(label="Language", required=False, choices=[("", "Choose a language")] + list(catalogue.LANGUAGES.items()))
    image_size = forms.ChoiceField(label="Size", required=False, choices=[(s, s) for s in catalogue.UPSCALE_SIZES])
    count = forms.IntegerField(label="How many", required=False, min_value=1, max_value=catalogue.MAX_VARIATIONS, initial=2)

    upscale_title = f"Re-render at {' or '.join(catalogue.UPSCALE_SIZES)}"

    def to_input(self, asset) -> GenerationInput:
        """The action as a job on this asset; what it keeps of the source is the kind's rule (services)."""
        data = self.cleaned_data
        action, source = data["action"], [asset.pk]
        if action == "edit":
            return GenerationInput(kind=Kind.EDIT, prompt=data["prompt"], source_assets=source)
        if action == "translate":
            return GenerationInput(kind=Kind.TRANSLATE, target_language=data["target_language"], source_assets=source)
        if action == "upscale":
            return GenerationInput(kind=Kind.UPSCALE, prompt=data["prompt"], image_size=data["image_size"] or None, source_assets=source)
        # Variations: new images in the same format, from the source's prompt unless a new one is given.
        model, aspect_ratio, image_size = source_format(kinds.get_kind(Kind.GENERATE), asset, model=None, aspect_ratio=None, image_size=None)
        prompt = data["prompt"] or (asset.generation.prompt if asset.generation else "") or "A variation of this image."
        return GenerationInput(
            kind=Kind.GENERATE, prompt=prompt, count=data["count"] or 2, model=model, aspect_ratio=aspect_ratio,
            image_size=image_size, source_assets=source,
        )
