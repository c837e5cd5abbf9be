"""The one signal for "a job ended": sent after the transaction that moved a Generation to a
finished status (succeeded, failed, canceled) commits, from the engine's final transition, from
cancel and from batch delivery alike. Webhooks, campaigns and notifications subscribe here
instead of matching task names or being called by the engine.

    job_finished.send(sender=Generation, generation=generation, status=generation.status)

Subscribe in your app config's `ready()` with a `dispatch_uid`.
"""

from django.dispatch import Signal

job_finished = Signal()
