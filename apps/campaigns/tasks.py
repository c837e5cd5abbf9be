"""The campaign side of a job's end: every run of `generations.run` (first try, retry or recovery)
is followed by a check whether it was the last job of a campaign stage."""

from celery.signals import task_postrun

from apps.campaigns import services


@task_postrun.connect
def settle_campaign_stage(sender=None, args=None, **kwargs):
    if getattr(sender, "name", None) == "generations.run" and args:
        services.stage_run_settle(generation_id=args[0])
