"""Sending a Celery task by its name, so a service never imports its own app's (or another app's)
tasks module: the services <-> tasks import pairs go, and a task's fixed name is the contract.

    send_on_commit("generations.run", [str(job.pk)], countdown=2.0)

Routing (queues) comes from CELERY_TASK_ROUTES by name, as for any task; `queue=` overrides it.
A web process sends by name alone (Celery's `send_task`): it needs no task module imported, so the
first burst of requests after a start cannot race the import. Eager mode (tests) runs the task
in-process, as `.delay()` would.

The broker being away (Redis restarting) never fails the caller: the rows are the truth and the
message is a nudge. `send` logs, calls `on_unsent` (which marks what was not sent, for the sweep
that sends it again) and returns False. `broker_forgot()` tells that sweep when the broker lost
every message it held (restarted without persistence)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence

from celery import current_app
from django.conf import settings
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)
# A key kept in the broker's own database: gone when the broker lost its messages (see broker_forgot).
BROKER_MARK_KEY = "brandimages:broker-mark"


_importing = threading.Lock()


def task_named(name: str):
    """The registered task called `name`; the task modules are imported on first use (a web process
    never ran the worker's autodiscovery), by one thread while the others wait: a second thread
    asking mid-import found the name missing and failed with NotRegistered."""
    app = current_app
    if name not in app.tasks:
        with _importing:
            if name not in app.tasks:
                app.loader.import_default_modules()
    return app.tasks[name]


def send(name: str, args: Sequence = (), *, queue: str | None = None, countdown: float | None = None,
         on_unsent: Callable[[], object] | None = None, **options) -> bool:
    """Send now (the caller has committed, or there is nothing to commit). With the broker away
    (after kombu's short publish retries), log, call `on_unsent` and return False instead of raising."""
    if queue is not None:
        options["queue"] = queue
    if current_app.conf.task_always_eager:
        task_named(name).apply_async(args=list(args), countdown=countdown, **options)
        return True
    try:
        current_app.send_task(name, args=list(args), countdown=countdown, **options)
    except (BrokerUnavailable, ConnectionError) as error:
        logger.warning("broker unavailable: %s %s not sent (%s: %s)", name, list(args)[:3], error.__class__.__name__, error)
        if on_unsent is not None:
            try:
                on_unsent()
            except Exception:  # the database may be away too: the sweep still finds the row by its age
                logger.exception("could not mark %s %s as not sent", name, list(args)[:3])
        return False
    return True


def send_on_commit(name: str, args: Sequence = (), *, queue: str | None = None, countdown: float | None = None,
                   on_unsent: Callable[[], object] | None = None, **options) -> None:
    """Send once the current transaction commits (at once outside one); nothing if it rolls back."""
    args = list(args)
    transaction.on_commit(lambda: send(name, args, queue=queue, countdown=countdown, on_unsent=on_unsent, **options))


def broker_forgot() -> bool:
    """True when the broker lost every message it held since the last call (a Redis restarted
    without persistence): a mark kept in the broker's own database is gone, and is set again. The
    mark lives and dies with the messages (a Redis that persists keeps both), so a sweep that asks
    this re-sends exactly when sending again is needed. Also True the first time ever (harmless: a
    re-sent job is claimed once). False for brokers that keep no such state (the embedded one)."""
    if not settings.CELERY_BROKER_URL.startswith("redis"):
        return False
    with current_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)  # away: raises BrokerUnavailable at once
        return bool(conn.default_channel.client.set(BROKER_MARK_KEY, "1", nx=True))
