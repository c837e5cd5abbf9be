"""Celery app. The database is the source of truth for job state; the broker only carries ids."""

import ctypes
import os

from celery import Celery
from celery.signals import celeryd_init, worker_ready
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

# `filesystem://` means our atomic-write variant of kombu's transport (see apps/core/broker.py).
TRANSPORT_ALIASES["filesystem"] = "apps.core.broker:Transport"

app = Celery("brandimages")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


M_ARENA_MAX = -8  # glibc's mallopt parameter (malloc.h)
MALLOC_ARENAS = 2


@celeryd_init.connect
def fewer_malloc_arenas(**kwargs):
    """Each thread parsing a 4K answer holds tens of MiB for a moment; glibc would give the 32 threads
    up to 8 heaps per core and keep what they free, so a worker's peak grew past 2 GiB. Two heaps keep
    it well under at the same CPU (bench/worker_memory.py). Set here so every way a worker starts
    gets it; a C library without mallopt (musl) is left as it is."""
    try:
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    except (OSError, AttributeError):
        pass


@worker_ready.connect
def recover_jobs_on_start(sender=None, **kwargs):
    """A worker killed mid-job left its row `running`; the embedded broker never redelivers it."""
    from apps.generations.tasks import announce_missed_generations, recover_stale_generations

    recover_stale_generations.delay()
    announce_missed_generations.delay()  # jobs a killed worker finished but never announced
    from apps.webhooks.tasks import sweep_webhook_deliveries

    sweep_webhook_deliveries.delay()  # deliveries that were due while no worker ran
