"""`asset_checked` is sent once a reading of an asset's brand checks is stored, after its
transaction commits (notifications, assignments):

    asset_checked.send(sender=AssetCheck, check=check)
"""

from django.dispatch import Signal

asset_checked = Signal()
