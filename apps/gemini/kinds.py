"""What each kind of job is, as data: the one table that services, forms and prompts read.

A row says which source assets a kind takes, whether it needs a prompt or a language, how its
instruction to the model is worded, how its output is linked to its sources in the lineage, and
what it keeps from its source when the request does not say. A new kind (refine, a campaign
stage) is one more row; nothing else spells a kind's rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from apps.gemini import catalogue, prompts


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    min_sources: int
    max_sources: int
    needs_prompt: bool
    # The lineage relation from each output to each source asset (a value of assets.Relation).
    relation: str
    # Builds the words sent to the model: (prompt, target_language=, source_prompt=) -> str.
    instruction: Callable[..., str]
    # Model, aspect ratio and size follow the first source unless the request names them.
    inherits_format: bool = False
    takes_language: bool = False
    # Sizes this kind renders at (None: any size the model has) ...
    sizes: tuple[str, ...] | None = None
    # ... and the model used when the source's model lacks the size asked.
    fallback_model: str | None = None
    # A turn of a refinement thread: the thread's history (apps.refinements) is sent before the
    # instruction and holds the source image; only a thread makes such jobs. history_hook(generation,
    # request_of=build_request) -> the ChatTurns sent first (a dotted path, like the hooks below).
    in_thread: bool = False
    history_hook: str = ""
    # Dotted paths of per-kind steps the engine calls, for kinds whose request or output is not the
    # plain one: request_hook(generation, sources) -> (images, instruction) replaces the source
    # images and the words; output_hook(generation, sources, answer_bytes) -> bytes runs before the
    # output is stored.
    request_hook: str = ""
    output_hook: str = ""


KINDS: tuple[JobKind, ...] = (
    JobKind("generate", "Generate", 0, catalogue.MAX_INPUT_IMAGES, needs_prompt=True, relation="composed_from",
            instruction=prompts.generate_instruction),
    JobKind("edit", "Edit", 1, 1, needs_prompt=True, relation="edited_from",
            instruction=prompts.edit_instruction, inherits_format=True),
    JobKind("translate", "Translate", 1, 1, needs_prompt=False, relation="translated_from",
            instruction=prompts.translate_instruction, inherits_format=True, takes_language=True),
    JobKind("upscale", "Upscale", 1, 1, needs_prompt=False, relation="upscaled_from",
            instruction=prompts.upscale_instruction, inherits_format=True,
            sizes=catalogue.UPSCALE_SIZES, fallback_model=catalogue.DEFAULT_MODEL),
    JobKind("compose", "Compose", 2, catalogue.MAX_INPUT_IMAGES, needs_prompt=True, relation="composed_from",
            instruction=prompts.compose_instruction),
    JobKind("refine", "Refine", 1, 1, needs_prompt=True, relation="edited_from",
            instruction=prompts.refine_instruction, inherits_format=True, in_thread=True,
            history_hook="apps.refinements.history.thread_history"),
    # Only the region changes: the crop (or the whole image, marked) is sent and the answer is
    # composited into the source (apps.assets.regions). Ratio and size come from the crop.
    JobKind("region_edit", "Region edit", 1, 1, needs_prompt=True, relation="region_edit_of",
            instruction=prompts.region_edit_instruction,
            request_hook="apps.generations.region_edits.request_images",
            output_hook="apps.generations.region_edits.composite_output"),
)

_BY_NAME = {kind.name: kind for kind in KINDS}


def get_kind(name: str) -> JobKind:
    return _BY_NAME[name]


def choices() -> list[tuple[str, str]]:
    return [(kind.name, kind.label) for kind in KINDS]
