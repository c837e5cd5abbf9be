"""Thin entry points: take an id, call a service. Fixed names so queued messages survive refactors."""

from celery import shared_task

from apps.generations import orphans, services


@shared_task(name="generations.run", ignore_result=True)
def run_generation(generation_id: str) -> None:
    services.generation_run(generation_id=generation_id)


@shared_task(name="generations.recover_stale", ignore_result=True)
def recover_stale_generations() -> None:
    services.generation_recover()


@shared_task(name="generations.announce_missed", ignore_result=True)
def announce_missed_generations() -> None:
    """Periodic (beat): finished jobs whose `job_finished` receivers never all ran hear it again."""
    services.generations_announce_missed()


@shared_task(name="generations.enqueue_many", ignore_result=True)
def enqueue_generations(generation_ids: list[str]) -> None:
    services.generations_enqueue(generation_ids=generation_ids)


@shared_task(name="generations.sweep_orphans", ignore_result=True)
def sweep_orphans() -> None:
    """Periodic (beat): output files a killed worker left that no row points at."""
    orphans.orphans_sweep()


@shared_task(name="generations.resend_unsent", ignore_result=True)
def resend_unsent_generations() -> None:
    """Periodic (beat): queued jobs whose message the broker never took, or lost in a restart, are sent again."""
    services.generations_resend_unsent()
