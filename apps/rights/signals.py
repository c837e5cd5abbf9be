"""`rights_expiring` is sent from the nightly run, inside the transaction that records the warning,
once per project with assets whose rights newly came within 30 or 7 days of their end (the team's
notifications tell its owners; a warning recorded is never sent again):

    rights_expiring.send(sender=EffectiveRights, project=project, lines=["Spring hero: ends 2027-01-04, in 30 days, …"])
"""

from django.dispatch import Signal

rights_expiring = Signal()
