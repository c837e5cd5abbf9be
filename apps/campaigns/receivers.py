"""The campaign side of a job's end, whoever ended it (a worker's run, a batch's collection, a
cancel): `job_finished` settles the job's stage run once its last job has finished."""

from apps.campaigns import services


def stage_run_settle_on_finish(sender, generation, status, **kwargs) -> None:
    """`job_finished` receiver: a job of no campaign changes nothing (one indexed lookup)."""
    services.stage_run_settle(generation_id=generation.pk)


def drafts_settle_on_decision(sender, review, asset, previous_status, **kwargs) -> None:
    """`review_decided` receiver: approving a campaign draft chooses it, so its siblings are marked
    not chosen (and rejecting an approval-chosen draft lets them wait again)."""
    if asset.generation_id:
        services.cell_drafts_settle_for(asset=asset)


def title_on_stored(sender, asset, **kwargs) -> None:
    """`asset_stored` receiver: a campaign image is titled by where it sits, not by its prompt
    (a translate job's prompt is an instruction, not a title). One indexed lookup for other assets."""
    if asset.generation_id:
        services.asset_title_set(asset=asset)
