"""Page forms for campaigns. They parse; every rule stays in `services.campaign_create`, whose
refusals land next to the field they name."""

import uuid

from django import forms

from apps.approvals.forms import DecisionForm
from apps.campaigns.models import COPY_MAX_CHARS, NAME_MAX_CHARS, Stage
from apps.campaigns.services import CampaignInput
from apps.campaigns.stages import DRAFT_DEFAULTS, FINAL_DEFAULTS, SETTINGS_DEFAULTS
from apps.gemini import catalogue
from apps.generations.models import Delivery

MODEL_CHOICES = [(m.alias, m.label) for m in catalogue.MODELS]
SIZE_CHOICES = [(s, s) for s in catalogue.SIZE_SCALE]
# A rule's field (as the API names it) -> the form field that shows its refusal.
FIELD_FOR_RULE = {"draft.model": "draft_model", "draft.image_size": "draft_size", "final.model": "final_model",
                  "final.image_size": "final_size", "copy_by_language": "copy"}


def form_field_for(rule_field: str | None) -> str | None:
    if not rule_field:
        return None
    base = rule_field.split("[", 1)[0]
    if base.startswith("copy_by_language."):
        return f"copy_{base.split('.', 1)[1]}"
    return FIELD_FOR_RULE.get(base, base)


class CampaignForm(forms.Form):
    name = forms.CharField(max_length=NAME_MAX_CHARS)
    products = forms.TypedMultipleChoiceField(coerce=uuid.UUID, help_text="Each product gets its own row of images.")
    characters = forms.TypedMultipleChoiceField(coerce=uuid.UUID, required=False, help_text="In every image.")
    scenes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="One scene per line, e.g. “morning run in a city park”.")
    formats = forms.MultipleChoiceField(choices=[(r, r) for r in catalogue.PIXELS_1K], widget=forms.CheckboxSelectMultiple,
                                        help_text="Placements, e.g. 4:5 feed and 9:16 story.")
    languages = forms.MultipleChoiceField(choices=list(catalogue.LANGUAGES.items()), required=False, widget=forms.CheckboxSelectMultiple,
                                          help_text="Markets beyond the source copy; each gets a translated version of every image.")
    copy = forms.CharField(max_length=COPY_MAX_CHARS, required=False, label="Headline copy",
                           help_text="Rendered in the image, in double quotes as the model's guide recommends.")
    variations = forms.IntegerField(min_value=1, max_value=catalogue.MAX_VARIATIONS, initial=2, help_text="Drafts per cell to choose from.")
    logo_required = forms.NullBooleanField(
        required=False, label="Logo", help_text="Whether the brand check requires the logo in every image of this campaign.",
        widget=forms.Select(choices=[("unknown", "As the brand kit says"), ("true", "Required in every image"), ("false", "Not required")]),
    )
    draft_model = forms.ChoiceField(choices=MODEL_CHOICES, initial=DRAFT_DEFAULTS["model"], label="Draft model")
    draft_size = forms.ChoiceField(choices=SIZE_CHOICES, initial=DRAFT_DEFAULTS["image_size"], label="Draft size")
    final_model = forms.ChoiceField(choices=MODEL_CHOICES, initial=FINAL_DEFAULTS["model"], label="Final model")
    final_size = forms.ChoiceField(choices=SIZE_CHOICES, initial=FINAL_DEFAULTS["image_size"], label="Final size")

    def __init__(self, *args, products=(), characters=(), placements=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["products"].choices = [(str(e.pk), e.name) for e in products]
        # Channel placements (apps.placements) may be chosen beside ratios: one generation per distinct ratio.
        self.placements = list(placements)
        self.fields["formats"].choices = [*self.fields["formats"].choices, *((p.key, p.label) for p in self.placements)]
        self.fields["characters"].choices = [(str(e.pk), e.name) for e in characters]
        for code, language in catalogue.LANGUAGES.items():
            self.fields[f"copy_{code}"] = forms.CharField(
                max_length=COPY_MAX_CHARS, required=False, label=f"{language} copy",
                help_text="Approved copy for this market, rendered verbatim instead of a translation.",
            )

    def ratio_boxes(self):
        return [box for box in self["formats"] if box.data["value"] in catalogue.PIXELS_1K]

    def placement_boxes(self):
        """(checkbox, placement) for the template, grouped as the catalogue orders them."""
        by_key = {p.key: p for p in self.placements}
        return [(box, by_key[box.data["value"]]) for box in self["formats"] if box.data["value"] in by_key]

    def placement_chosen(self) -> bool:
        return any(box.data["selected"] for box, _ in self.placement_boxes())

    def language_rows(self):
        """(language checkbox, its copy override field) pairs for the template."""
        return [(box, self[f"copy_{box.data['value']}"]) for box in self["languages"]]

    def to_input(self) -> CampaignInput:
        data = self.cleaned_data
        languages = data.get("languages") or []
        return CampaignInput(
            name=data["name"], products=data["products"], characters=data.get("characters") or [],
            scenes=[line.strip() for line in data["scenes"].splitlines() if line.strip()], formats=data["formats"],
            languages=languages, copy=data.get("copy", ""),
            copy_by_language={code: data[f"copy_{code}"] for code in languages if data.get(f"copy_{code}", "").strip()},
            variations=data["variations"], logo_required=data.get("logo_required"), draft={"model": data["draft_model"], "image_size": data["draft_size"]},
            final={"model": data["final_model"], "image_size": data["final_size"]},
        )


class StageForm(forms.Form):
    stage = forms.ChoiceField(choices=Stage.choices)
    delivery = forms.ChoiceField(choices=Delivery.choices, required=False)


class GridDecisionForm(DecisionForm):
    """A review decision on one asset of the grid."""

    asset = forms.UUIDField()


def summary_figures(data) -> dict:
    """What a half-filled form would make: cells and each stage's size and estimate. Lenient by
    design (it runs on every key press); the real checks run when the form is sent."""
    from apps.campaigns.selectors import stage_sizes

    from apps.placements.catalogue import catalogue_placement

    # A placement is generated at its ratio: formats sharing a ratio share cells.
    ratios = {value if value in catalogue.PIXELS_1K else getattr(catalogue_placement(value), "ratio", value) for value in data.getlist("formats")}
    cells = len(data.getlist("products")) * len([s for s in data.get("scenes", "").splitlines() if s.strip()]) * len(ratios)
    try:
        variations = min(max(int(data.get("variations") or 1), 1), catalogue.MAX_VARIATIONS)
    except ValueError:
        variations = 1
    chosen = {}
    for stage, defaults in SETTINGS_DEFAULTS.items():
        model = catalogue.get_model(data.get(f"{stage}_model") or "") or catalogue.get_model(defaults["model"])
        size = data.get(f"{stage}_size")
        chosen[stage] = (model.alias, size if size in model.sizes else model.default_size)
    sizes = stage_sizes(
        cells=cells, variations=variations, languages=len(data.getlist("languages")),
        draft_model=chosen["draft"][0], draft_size=chosen["draft"][1], final_model=chosen["final"][0], final_size=chosen["final"][1],
    )
    return {"cells": cells, "sizes": sizes, "total": sum(size.estimate_usd for size in sizes)}
