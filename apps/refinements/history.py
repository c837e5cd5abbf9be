"""The conversation a refine job sends: model turns stored verbatim at output time, and the exact
`contents` history rebuilt from stored rows plus stored files.

A stored model turn (written by apps.generations.model_parts for every output) is the SDK's JSON of each part (text, thought flag, `thought_signature`,
order), with each image's bytes replaced by `inline_data.stored = {"key", "sha256"}`: the output
asset's own file for the image it was made from, a file beside it for any other image (interim
thought images). Rebuilding checks each file's sha256, so a history is sent byte for byte or not
at all.
"""

from __future__ import annotations

import copy
import hashlib

from django.core.files.storage import default_storage

from apps.core.exceptions import ValidationFailed
from apps.gemini import kinds, prompts
from apps.gemini.gateway import ChatTurn, TurnPart, user_turn
from apps.refinements.models import SeededAs, Turn


def images_in(records: list[dict]) -> int:
    return sum(1 for fields in records if "inline_data" in fields)


def _stored_bytes(stored: dict) -> bytes:
    with default_storage.open(stored["key"], "rb") as handle:
        data = handle.read()
    if hashlib.sha256(data).hexdigest() != stored["sha256"]:
        raise ValidationFailed(
            f"The stored image {stored['key']} no longer has the bytes the model returned, so the thread's history "
            "cannot be sent back unchanged; start a new thread from this image.",
            code="history_changed",
        )
    return data


def model_turn(records: list[dict]) -> ChatTurn:
    parts = []
    for fields in records:
        fields = copy.deepcopy(fields)
        stored = (fields.get("inline_data") or {}).pop("stored", None)
        parts.append(TurnPart(fields, _stored_bytes(stored) if stored else None))
    return ChatTurn("model", tuple(parts))


def _asset_image(asset) -> TurnPart:
    with default_storage.open(asset.file.name, "rb") as handle:
        return TurnPart.image(handle.read(), asset.mime_type)


def turn_exchange(turn: Turn, output, *, request_of) -> list[ChatTurn]:
    """What one turn of the path contributes to the history; `output` is the asset it made (the
    seed asset for the root turn). `request_of(generation)` rebuilds a job's own request."""
    if turn.generation_id is None and turn.thread.seeded_as == SeededAs.IMAGE:
        return [ChatTurn("user", (TurnPart.text(prompts.source_label(0, 1)), _asset_image(output)))]
    if turn.generation_id is None:
        return [user_turn(request_of(output.generation)), model_turn(output.model_parts)]
    instruction = kinds.get_kind(turn.generation.kind).instruction(turn.generation.prompt)
    return [ChatTurn("user", (TurnPart.text(instruction),)), model_turn(output.model_parts)]


def thread_history(generation, *, request_of) -> tuple[ChatTurn, ...]:
    """Everything a refine job sends before its own prompt: the path from its thread's seed to the
    turn it refines, each model turn exactly as the model returned it."""
    from apps.refinements.selectors import turn_path

    turn = Turn.objects.select_related("thread").get(generation=generation)
    history: list[ChatTurn] = []
    for step, output in turn_path(turn.parent):
        history += turn_exchange(step, output, request_of=request_of)
    return tuple(history)


def images_held(path: list[tuple[Turn, object]]) -> int:
    """How many images the history of `path` (turns with their assets) sends, without reading a file."""
    held = 0
    for turn, output in path:
        if output is None:  # a turn that made nothing sends nothing
            continue
        if turn.generation_id is None and turn.thread.seeded_as == SeededAs.IMAGE:
            held += 1
        elif turn.generation_id is None:
            held += output.generation.references.count() + output.generation.sources.count() + images_in(output.model_parts)
        else:
            held += images_in(output.model_parts)
    return held
