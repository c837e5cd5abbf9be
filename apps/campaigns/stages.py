"""What each campaign stage is, as data: the one table planning, counts, progress, estimates,
labels and the campaign page read (as `apps.gemini.kinds` is for kinds of job).

A row says what the stage is called and how the page explains it, which kind of job it makes,
what each job starts from, which of the campaign's two settings (draft or final model and size)
it renders at, how many jobs and images it makes per cell, and which items of a cell's state are
ready for it. A new stage is one more row (and a `Stage` value); nothing else spells a stage.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from apps.gemini import catalogue

# The campaign's two settings a stage renders at, with their defaults (API, form and input).
DRAFT_DEFAULTS = {"model": catalogue.DEFAULT_MODEL, "image_size": "512"}
FINAL_DEFAULTS = {"model": catalogue.DEFAULT_MODEL, "image_size": "4K"}
SETTINGS_DEFAULTS = {"draft": DRAFT_DEFAULTS, "final": FINAL_DEFAULTS}

SOURCE = "source"  # the language of a cell's chosen draft itself (as models.SOURCE)


def _ready_drafts(state) -> Iterator[tuple[str, object]]:
    """A cell without a chosen draft and without standing drafts or drafts under way."""
    if state.chosen is None and not state.drafts.settled:
        yield "", None


def _ready_translations(state) -> Iterator[tuple[str, object]]:
    """Each target language whose version of the chosen draft neither stands nor is under way."""
    for version in state.versions:
        if version.language != SOURCE and not version.made.settled:
            yield version.language, state.chosen


def _ready_finals(state) -> Iterator[tuple[str, object]]:
    """Each approved version (the chosen draft included) without a standing final or one under way."""
    from apps.assets.models import ReviewStatus

    for version in state.versions:
        if version.asset is not None and version.asset.review_status == ReviewStatus.APPROVED and not version.final.settled:
            yield version.language, version.asset


def _made_drafts(state) -> list:
    return [(state.drafts, state.draft_assets)]


def _made_translations(state) -> list:
    return [(version.made, [version.made.asset]) for version in state.versions if version.language != SOURCE]


def _made_finals(state) -> list:
    return [(version.final, [version.final.asset]) for version in state.versions]


@dataclass(frozen=True)
class CampaignStage:
    name: str  # a value of models.Stage
    label: str
    help: str
    kind: str  # the kind of job it makes (apps.gemini.kinds)
    starts_from: str  # what each job's source is, in words
    settings: str  # "draft" or "final": the campaign's model and size it renders at
    # How many jobs a cell gets, from the number of target languages (beyond the source copy).
    jobs_per_cell: Callable[[int], int]
    # Its jobs make the campaign's variations each (else one image a job).
    takes_variations: bool
    # Items of a cell's state (selectors.CellState) ready for the stage: (language, source asset).
    ready: Callable[..., Iterator[tuple[str, object]]]
    # What the stage has made for a cell: (its jobs' Item, the outputs that stand for it), for counts.
    made: Callable[..., list]
    # The library references (characters, the cell's product) go with each job.
    sends_references: bool
    # The words sent with each job: "cell" (scene, product, characters, copy), "copy" (a market's
    # verbatim copy), or "" (none).
    prompt: str
    # Each job is tied to a target language (its CampaignJob row records it).
    per_language: bool
    # Running it pins the cell's chosen draft (one picked by approval stays the source of its versions).
    pins_chosen: bool = False

    def model_and_size(self, campaign) -> tuple[str, str]:
        return getattr(campaign, f"{self.settings}_model"), getattr(campaign, f"{self.settings}_size")

    def jobs(self, *, cells: int, languages: int) -> int:
        return cells * self.jobs_per_cell(languages)

    def images(self, *, cells: int, languages: int, variations: int) -> int:
        return self.jobs(cells=cells, languages=languages) * (variations if self.takes_variations else 1)


STAGES: tuple[CampaignStage, ...] = (
    CampaignStage(
        "drafts", "Drafts", "One job per cell with its variations, at the draft size.",
        kind="generate", starts_from="the cell: its scene, product, characters and copy", settings="draft",
        jobs_per_cell=lambda languages: 1, takes_variations=True, ready=_ready_drafts, made=_made_drafts,
        sends_references=True, prompt="cell", per_language=False,
    ),
    CampaignStage(
        "localise", "Localise", "A translation of each chosen draft into each language, at the draft size.",
        kind="translate", starts_from="the cell's chosen draft", settings="draft",
        jobs_per_cell=lambda languages: languages, takes_variations=False, ready=_ready_translations, made=_made_translations,
        sends_references=False, prompt="copy", per_language=True, pins_chosen=True,
    ),
    CampaignStage(
        "finalise", "Finalise", "Each approved version re-rendered at the final size.",
        kind="upscale", starts_from="each approved version (the chosen draft and its translations)", settings="final",
        jobs_per_cell=lambda languages: languages + 1, takes_variations=False, ready=_ready_finals, made=_made_finals,
        sends_references=True, prompt="", per_language=True,
    ),
)

_BY_NAME = {stage.name: stage for stage in STAGES}
NAMES: tuple[str, ...] = tuple(_BY_NAME)
FINAL_STAGE = STAGES[-1]


def get_stage(name: str) -> CampaignStage:
    return _BY_NAME[name]


def choices() -> list[tuple[str, str]]:
    return [(stage.name, stage.label) for stage in STAGES]


@dataclass(frozen=True)
class StageSize:
    stage: str
    jobs: int
    images: int
    estimate_usd: Decimal  # its images at the stage's delivery (ImageModel.cost)
    delivery: str = "interactive"


def sizes(*, cells: int, variations: int, languages: int, settings: dict[str, tuple[str, str]],
          deliveries: dict[str, str] | None = None) -> list[StageSize]:
    """What each stage makes for the whole campaign and what it costs; `settings` maps "draft" and
    "final" to (model, size); a stage listed in `deliveries` as batch is priced at the batch price."""
    deliveries = deliveries or {}
    rows = []
    for stage in STAGES:
        model, size = settings[stage.settings]
        delivery = deliveries.get(stage.name, "interactive")
        images = stage.images(cells=cells, languages=languages, variations=variations)
        rows.append(StageSize(
            stage.name, stage.jobs(cells=cells, languages=languages), images,
            catalogue.get_model(model).cost(size, delivery, images), delivery,
        ))
    return rows
