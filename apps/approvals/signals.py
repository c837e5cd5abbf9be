"""Signals other apps subscribe to when people decide or talk about assets (notifications,
assignments, campaigns). Sent after the transaction commits (`apps.core.signals.send_on_commit`),
so receivers find the rows; a failing receiver is logged and never undoes the decision.

    review_decided.send(sender=Review, review=review, asset=asset, previous_status="pending")
    comment_created.send(sender=Comment, comment=comment, mentioned=[user, ...])
"""

from django.dispatch import Signal

review_decided = Signal()
comment_created = Signal()
