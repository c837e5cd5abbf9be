from celery import shared_task

from apps.webhooks import services


@shared_task(name="webhooks.deliver", ignore_result=True)
def deliver_webhook(delivery_id: str) -> None:
    services.delivery_attempt(delivery_id=delivery_id)
