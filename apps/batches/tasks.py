"""Thin entry points for batch delivery. Fixed names so queued messages survive refactors."""

from celery import shared_task

from apps.batches import services


@shared_task(name="batches.submit", ignore_result=True)
def submit_batches(generation_ids: list[str]) -> None:
    services.batch_group_submit(generation_ids=generation_ids)


@shared_task(name="batches.poll", ignore_result=True)
def poll_batches() -> None:
    services.batch_poll()


@shared_task(name="batches.release", ignore_result=True)
def release_unwanted_batches(generation_id: str) -> None:
    services.batch_release_unwanted(generation_id=generation_id)
