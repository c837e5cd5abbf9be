"""The one signal for "a job ended": sent after the transaction that moved a Generation to a
finished status (succeeded, failed, canceled) commits, from the engine's final transition, from
cancel and from batch delivery alike. Webhooks, campaigns and notifications subscribe here
instead of matching task names or being called by the engine.

    job_finished.send(sender=Generation, generation=generation, status=generation.status)

`generation` carries the row's final status, error, and finish time as written (and its project);
read anything else (usage, cost, assets) from the database. Subscribe in your app config's
`ready()` with a `dispatch_uid`; a failing receiver is logged, never fails the job
(apps/core/signals.py).
"""

from django.dispatch import Signal

job_finished = Signal()
