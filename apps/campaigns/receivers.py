"""The campaign side of a job's end, whoever ended it (a worker's run, a batch's collection, a
cancel): `job_finished` settles the job's stage run once its last job has finished."""

from apps.campaigns import services


def stage_run_settle_on_finish(sender, generation, status, **kwargs) -> None:
    """`job_finished` receiver: a job of no campaign changes nothing (one indexed lookup)."""
    services.stage_run_settle(generation_id=generation.pk)
