"""Refining an asset in conversation: find or start its thread, check the history fits the model,
and queue a `refine` job as the thread's next turn (the job engine runs it like any other)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from apps.assets.models import Asset
from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue, kinds
from apps.gemini.catalogue import ImageModel
from apps.gemini.checks import resolve_model
from apps.generations.models import Kind
from apps.generations.services import GenerationInput, generation_create
from apps.refinements import history, selectors
from apps.refinements.models import SeededAs, Thread, Turn


@dataclass
class RefineInput:
    prompt: str
    model: str | None = None  # another model than the thread's starts a new thread
    aspect_ratio: str | None = None  # unset: as the turn refined
    image_size: str | None = None
    new_thread: bool = False  # start afresh from this image, leaving the turns before it behind


def seeded_as(asset: Asset, model: ImageModel) -> str:
    """A thread starts from the asset's own request when that job ran on this model and the model
    signed the image; otherwise (uploads, Nano Banana 2.5, other models, refine outputs) from the
    image as if the user supplied it (also when the kind reworked the answer before storing it, as a
    region edit composites it: the stored image is not what the model signed)."""
    job = asset.generation
    if job is None or job.kind == Kind.REFINE or job.model != model.model_id or not model.thought_signatures:
        return SeededAs.IMAGE
    if kinds.get_kind(job.kind).output_hook:
        return SeededAs.IMAGE
    signed = any("inline_data" in part and not part.get("thought") and part.get("thought_signature") for part in asset.model_parts)
    return SeededAs.REQUEST if signed else SeededAs.IMAGE


def _seed_turn(asset: Asset, model: ImageModel, user, *, afresh: bool) -> Turn:
    thread, _ = Thread.objects.get_or_create(
        seed_asset=asset, model=model.model_id, seeded_as=SeededAs.IMAGE if afresh else seeded_as(asset, model),
        defaults={"project": asset.project, "created_by": user},
    )
    seed, _ = Turn.objects.get_or_create(thread=thread, parent=None, defaults={"depth": 0, "created_by": user})
    return seed


def _parent_turn(asset: Asset, data: RefineInput, user) -> Turn:
    """The turn the new one follows: the one that made `asset` when the model stays the same,
    else the seed of a thread started from `asset`."""
    current = None if data.new_thread else selectors.turn_for_asset(asset)
    model = resolve_model(data.model or (current.thread.model if current else asset.generation.model if asset.generation_id else None))
    if current is not None and current.thread.model == model.model_id:
        return current
    return _seed_turn(asset, model, user, afresh=data.new_thread)


@transaction.atomic
def refinement_create(*, asset: Asset, user, data: RefineInput, idempotency_key: str = "") -> tuple[Turn, bool]:
    """Queue the next turn of `asset`'s thread. Refining an asset whose turn already has a next
    turn starts a branch there. Returns (turn, created); the turn's job is `turn.generation`, and
    the same Idempotency-Key and body return the first turn."""
    if not data.prompt.strip():
        raise ValidationFailed("Say what to change: a refinement needs a prompt.", field="prompt")
    parent = _parent_turn(asset, data, user)
    model = catalogue.get_model(parent.thread.model)
    path = selectors.turn_path(parent)
    held = history.images_held(path)
    if held > model.max_input_images:
        raise ValidationFailed(
            f"This thread holds {held} images up to this turn (reference images and every image made so far), and "
            f"{model.alias} accepts at most {model.max_input_images} input images per request. Branch from a later "
            'turn: refine this image with "new_thread": true to start a new thread from it (the model then sees '
            "this image, not the turns before it).",
            code="thread_too_long", field="new_thread", details={"limit": model.max_input_images, "value": held},
        )

    # Ratio and size follow the turn refined unless changed for this one (the refine kind inherits
    # its source's format); so does the thinking level.
    made_by = asset.generation
    thinking_level = made_by.thinking_level if made_by is not None and made_by.thinking_level in model.thinking_levels else None
    generation, created = generation_create(
        project=asset.project, user=user, idempotency_key=idempotency_key,
        data=GenerationInput(
            kind=Kind.REFINE, prompt=data.prompt, model=model.model_id, aspect_ratio=data.aspect_ratio,
            image_size=data.image_size, thinking_level=thinking_level, source_assets=[asset.pk],
        ),
    )
    if not created:
        return generation.refinement_turn, False
    turn = Turn.objects.create(thread=parent.thread, parent=parent, depth=parent.depth + 1, generation=generation, created_by=user)
    return turn, True
