"""Signals other apps subscribe to when they want to act on stored assets.

`asset_stored` is sent once per stored asset (every job output and every upload), after the
transaction that stored it commits, so a receiver always finds the row and its file. Receivers
must not fail the sender: queue work (a Celery task on its own queue) rather than doing it inline.

    asset_stored.send(sender=Asset, asset=asset)

Subscribe in your app config's `ready()`:

    from apps.assets.signals import asset_stored
    asset_stored.connect(my_receiver, dispatch_uid="myapp.my_receiver")
"""

from django.dispatch import Signal

asset_stored = Signal()
