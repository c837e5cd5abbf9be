"""Celery app. The database is the source of truth for job state; the broker only carries ids."""

import os

from celery import Celery
from celery.signals import worker_ready
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# `filesystem://` means our atomic-write variant of kombu's transport (see apps/core/broker.py).
TRANSPORT_ALIASES["filesystem"] = "apps.core.broker:Transport"

app = Celery("brandimages")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def recover_jobs_on_start(sender=None, **kwargs):
    """A worker killed mid-job left its row `running`; the embedded broker never redelivers it."""
    from apps.generations.tasks import recover_stale_generations

    recover_stale_generations.delay()
    from apps.webhooks.tasks import sweep_webhook_deliveries

    sweep_webhook_deliveries.delay()  # deliveries that were due while no worker ran
