from celery import shared_task

from apps.webhooks import services


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver_webhook(delivery_id: str) -> None:
    services.delivery_attempt(delivery_id=delivery_id)


@shared_task(name="webhooks.sweep", ignore_result=True)
def sweep_webhook_deliveries() -> None:
    """Periodic (beat): re-send what is due, so no retry depends on a message surviving a restart."""
    services.deliveries_sweep()
