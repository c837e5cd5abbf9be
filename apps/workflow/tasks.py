"""Thin entry points: the scheduler's pass (reminders, digests) and sending one email."""

from celery import shared_task


@shared_task(name="workflow.tick", ignore_result=True)
def tick() -> None:
    """Periodic (beat): due-date reminders, then digests whose period came and any pending email."""
    from apps.workflow import notifications, services

    services.reminders_run()
    notifications.digests_run()


@shared_task(name="workflow.send", ignore_result=True)
def send_digest(digest_id: int) -> None:
    from apps.workflow import notifications

    notifications.digest_send(digest_id)
