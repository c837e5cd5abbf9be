"""Page forms for jobs. They parse; the rules (what each model allows, limits, budget) stay in
`services.generation_create` and `gemini.checks`, whose refusals land next to these fields."""

import json
import uuid
from dataclasses import replace

from django import forms

from apps.assets import regions
from apps.core.pages import count_characters
from apps.gemini import catalogue, kinds
from apps.generations.models import Delivery, Kind
from apps.generations.services import GenerationInput, source_format

ALL_SIZES = tuple(catalogue.SIZE_SCALE)
# Where a rule names an API field, the page shows it next to this form field.
FIELD_FOR_RULE = {"grounding.web": "web_search", "grounding.image": "image_search"}


class GenerateForm(forms.Form):
    prompt = forms.CharField(label="Prompt", max_length=catalogue.MAX_PROMPT_CHARS, widget=forms.Textarea(attrs={"rows": 4}),
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
    source_assets = forms.TypedMultipleChoiceField(label="Images from the gallery", coerce=uuid.UUID, required=False)
    count = forms.IntegerField(label="Images", min_value=1, max_value=catalogue.MAX_VARIATIONS, initial=1)
    delivery = forms.ChoiceField(
        label="Delivery", choices=Delivery.choices, initial=Delivery.INTERACTIVE, widget=forms.RadioSelect, required=False,
        help_text=f"Batch costs half and arrives in {catalogue.BATCH_TURNAROUND}; the job waits queued meanwhile.",
    )
    request_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def __init__(self, *args, characters=(), objects=(), source_assets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["characters"].choices = [(str(e.pk), e.name) for e in characters]
        self.fields["objects"].choices = [(str(e.pk), e.name) for e in objects]
        self.fields["source_assets"].choices = [(str(a.pk), a.display_title) for a in source_assets]
        self.initial.setdefault("request_key", uuid.uuid4().hex)
        count_characters(self.fields["prompt"])

    @staticmethod
    def initial_from(job, *, characters, objects) -> dict:
        """A finished job's prompt and settings, to start a new one from ("use prompt and settings").
        Characters and objects come back only while they are still in the library."""
        model = catalogue.get_model(job.model)
        used = {ref.reference_image.entry_id for ref in job.references.select_related("reference_image")}
        return {
            "prompt": job.prompt, "model": model.alias if model else catalogue.DEFAULT_MODEL,
            "image_size": job.image_size, "aspect_ratio": job.aspect_ratio, "thinking_level": job.thinking_level,
            "web_search": job.web_search, "image_search": job.image_search,
            "characters": [str(e.pk) for e in characters if e.pk in used],
            "objects": [str(e.pk) for e in objects if e.pk in used],
            "count": job.count if job.kind == Kind.GENERATE else 1,
        }

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
    prompt = forms.CharField(label="Prompt", max_length=catalogue.MAX_PROMPT_CHARS, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    target_languages = forms.MultipleChoiceField(label="Languages", required=False, choices=list(catalogue.LANGUAGES.items()),
                                                 widget=forms.CheckboxSelectMultiple)
    image_size = forms.ChoiceField(label="Size", required=False, choices=[(s, s) for s in catalogue.UPSCALE_SIZES])
    count = forms.IntegerField(label="How many", required=False, min_value=1, max_value=catalogue.MAX_VARIATIONS, initial=2)

    upscale_title = f"Upscale to {' or '.join(catalogue.UPSCALE_SIZES)}"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["prompt"])

    def clean(self):
        """What the person left out, in the words of the form they filled in (the service's own
        refusal names API fields)."""
        data = super().clean()
        action = data.get("action")
        if action == "edit" and not (data.get("prompt") or "").strip():
            self.add_error("prompt", "Say what should change, e.g. “make the apron darker”.")
        if action == "translate" and not data.get("target_languages"):
            self.add_error("target_languages", "Tick at least one language to translate into.")
        return data

    def inputs(self, asset) -> list[GenerationInput]:
        """One job per language for a translation into several; otherwise the one job."""
        if self.cleaned_data["action"] == "translate":
            return [replace(self.to_input(asset), target_language=code) for code in self.cleaned_data["target_languages"]]
        return [self.to_input(asset)]

    def to_input(self, asset) -> GenerationInput:
        """The action as a job on this asset; what it keeps of the source is the kind's rule (services)."""
        data = self.cleaned_data
        action, source = data["action"], [asset.pk]
        if action == "edit":
            return GenerationInput(kind=Kind.EDIT, prompt=data["prompt"], source_assets=source)
        if action == "translate":
            return GenerationInput(kind=Kind.TRANSLATE, source_assets=source)  # the language: per job, in inputs()
        if action == "upscale":
            return GenerationInput(kind=Kind.UPSCALE, prompt=data["prompt"], image_size=data["image_size"] or None, source_assets=source)
        # Variations: new images in the same format, from the source's prompt unless a new one is given.
        model, aspect_ratio, image_size = source_format(kinds.get_kind(Kind.GENERATE), asset, model=None, aspect_ratio=None, image_size=None)
        prompt = data["prompt"] or (asset.generation.prompt if asset.generation else "") or "A variation of this image."
        return GenerationInput(
            kind=Kind.GENERATE, prompt=prompt, count=data["count"] or 2, model=model, aspect_ratio=aspect_ratio,
            image_size=image_size, source_assets=source,
        )


class RegionEditForm(forms.Form):
    """The asset page's "Fix a region": a box drawn on the image (JSON from pins.js) or a brush mask
    (a PNG the source's size, made by pins.js), and the instruction. The region's own rules are
    the REST ones (apps.generations.region_edits)."""

    prompt = forms.CharField(label="What should change inside the region?", max_length=catalogue.MAX_PROMPT_CHARS, widget=forms.Textarea(attrs={"rows": 2}))
    region = forms.CharField(required=False, widget=forms.HiddenInput)
    mask = forms.FileField(required=False)
    mode = forms.ChoiceField(label="Send the model", choices=regions.MODE_CHOICES, initial="crop")
    feather = forms.IntegerField(label="Blend edge (px)", min_value=0, max_value=regions.MAX_FEATHER_PX, initial=regions.FEATHER_PX,
                                 help_text="How many pixels inside the region's edge blend into the original.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        count_characters(self.fields["prompt"])

    def clean_region(self):
        text = self.cleaned_data["region"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            raise forms.ValidationError("The region could not be read: draw the box again on the image.") from None

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("region") is None and not data.get("mask"):
            self.add_error("region", "Draw a box or paint over the part of the image to change first.")
        return data
