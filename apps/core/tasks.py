"""Sending a Celery task by its name, so a service never imports its own app's (or another app's)
tasks module: the services <-> tasks import pairs go, and a task's fixed name is the contract.

    send_on_commit("generations.run", [str(job.pk)], countdown=2.0)

Routing (queues) comes from CELERY_TASK_ROUTES by name, as for any task; `queue=` overrides it.
A web process sends by name alone (Celery's `send_task`): it needs no task module imported, so the
first burst of requests after a start cannot race the import. Eager mode (tests) runs the task
in-process, as `.delay()` would."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from celery import current_app
from django.db import transaction


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


def send(name: str, args: Sequence = (), *, queue: str | None = None, countdown: float | None = None, **options) -> None:
    """Send now (the caller has committed, or there is nothing to commit)."""
    if queue is not None:
        options["queue"] = queue
    if current_app.conf.task_always_eager:
        task_named(name).apply_async(args=list(args), countdown=countdown, **options)
    else:
        current_app.send_task(name, args=list(args), countdown=countdown, **options)


def send_on_commit(name: str, args: Sequence = (), *, queue: str | None = None, countdown: float | None = None, **options) -> None:
    """Send once the current transaction commits (at once outside one); nothing if it rolls back."""
    args = list(args)
    transaction.on_commit(lambda: send(name, args, queue=queue, countdown=countdown, **options))
