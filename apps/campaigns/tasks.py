"""The campaign side of a job's end: every run of `generations.run` (first try, retry or recovery)
is followed by a check whether it was the last job of a campaign stage; so is every batch poll
(batch jobs end there) and every batch release (a canceled batch job)."""

from celery.signals import task_postrun

from apps.campaigns import services


@task_postrun.connect
def settle_campaign_stage(sender=None, args=None, **kwargs):
    name = getattr(sender, "name", None)
    if name == "generations.run" and args:
        services.stage_run_settle(generation_id=args[0])
    elif name in ("batches.poll", "batches.release"):
        services.stage_runs_settle_open()
