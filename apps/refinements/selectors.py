"""Reading threads: which turn an asset belongs to, the path from a thread's seed to a turn, and
the branches that split off that path. A thread's turns load in two queries whatever its depth."""

from __future__ import annotations

from dataclasses import dataclass

from apps.assets.models import Asset
from apps.assets.selectors import asset_queryset
from apps.refinements.models import Turn


def thread_turns(thread) -> list[Turn]:
    """Every turn of a thread, each with `output`: the asset it made (the seed asset for the root;
    None while its job has not succeeded)."""
    turns = list(
        Turn.objects.filter(thread=thread).select_related(
            "thread__seed_asset__generation", "generation__created_by", "created_by"
        )
    )
    jobs = [turn.generation_id for turn in turns if turn.generation_id]
    outputs = {asset.generation_id: asset for asset in asset_queryset().filter(generation__in=jobs, output_index=0)}
    for turn in turns:
        turn.output = turn.thread.seed_asset if turn.generation_id is None else outputs.get(turn.generation_id)
    return turns


def _path(turns: dict, turn: Turn) -> list[Turn]:
    path = []
    step = turns[turn.pk]
    while step is not None:
        path.append(step)
        step = turns.get(step.parent_id)
    return path[::-1]


def turn_path(turn: Turn) -> list[tuple[Turn, Asset]]:
    """The turns from the thread's seed to `turn`, each with the asset it made."""
    turns = {step.pk: step for step in thread_turns(turn.thread)}
    return [(step, step.output) for step in _path(turns, turn)]


def turn_for_asset(asset: Asset) -> Turn | None:
    """The turn that made `asset`, or else the seed turn of the newest thread started from it."""
    if asset.generation_id:
        made_by = Turn.objects.select_related("thread").filter(generation_id=asset.generation_id).first()
        if made_by is not None:
            return made_by
    return Turn.objects.select_related("thread").filter(parent__isnull=True, thread__seed_asset=asset).order_by("-created_at").first()


@dataclass
class ThreadView:
    thread: object
    path: list[Turn]  # from the seed to the asset's turn
    branches: list[Turn]  # turns whose parent is on the path but not on it themselves, with `from_asset`


def asset_thread(asset: Asset) -> ThreadView | None:
    turn = turn_for_asset(asset)
    return turn_view(turn) if turn is not None else None


def turn_view(turn: Turn) -> ThreadView:
    """The thread from its seed to `turn`, and the branches off that path."""
    turns = {step.pk: step for step in thread_turns(turn.thread)}
    path = _path(turns, turn)
    on_path = {step.pk for step in path}
    branches = [step for step in turns.values() if step.parent_id in on_path and step.pk not in on_path]
    for branch in branches:
        branch.from_asset = turns[branch.parent_id].output
    return ThreadView(thread=turn.thread, path=path, branches=branches)


@dataclass
class Message:
    """One line of a thread as people read it: what a user asked, or what the model answered."""

    role: str  # "user" or "model"
    text: str
    asset: Asset | None  # the image the model made, or the one the user supplied
    turn: Turn
    created_by: object
    created_at: object
    job: object = None  # the refine job behind a model message (None for the seed)


def _model_text(asset: Asset | None) -> str:
    parts = asset.model_parts if asset is not None else []
    return "\n".join(part["text"] for part in parts if part.get("text") and not part.get("thought"))


def thread_messages(path: list[Turn]) -> list[Message]:
    """The path as alternating user and model messages, oldest first."""
    messages = []
    for turn in path:
        if turn.generation_id is None:
            seed = turn.output
            if turn.thread.seeded_as == "image":
                messages.append(Message("user", "", seed, turn, turn.thread.created_by, turn.created_at))
                continue
            job = seed.generation
            messages.append(Message("user", job.prompt, None, turn, job.created_by, job.created_at))
            messages.append(Message("model", _model_text(seed), seed, turn, job.created_by, seed.created_at))
            continue
        job = turn.generation
        messages.append(Message("user", job.prompt, None, turn, turn.created_by, turn.created_at))
        answered_at = turn.output.created_at if turn.output is not None else job.finished_at
        messages.append(Message("model", _model_text(turn.output), turn.output, turn, job.created_by, answered_at, job))
    return messages
