"""`stage_finished` is sent once when a campaign stage run's last job has finished, after the
transaction that marked it commits (notifications, the campaign page's "done" message):

    stage_finished.send(sender=StageRun, stage_run=run, statuses={"succeeded": 12})
"""

from django.dispatch import Signal

stage_finished = Signal()
