"""Thin entry points on the CPU-bound `checks` queue."""

from celery import shared_task


@shared_task(name="checks.run", ignore_result=True)
def run_checks(asset_id: str) -> None:
    from apps.checks import services

    services.check_run(asset_id)


@shared_task(name="checks.recover", ignore_result=True)
def recover_checks() -> None:
    from apps.checks import services

    services.checks_recover()
