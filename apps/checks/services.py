"""Writes: queue an asset's checks, run them, store the result."""

from django.db import transaction
from django.utils import timezone

from apps.checks.models import AssetCheck, CheckStatus


def check_queue(asset) -> AssetCheck:
    """Mark the asset `checking` and queue its reading on the `checks` queue (after commit)."""
    from apps.checks import tasks

    check, _ = AssetCheck.objects.update_or_create(
        asset=asset, defaults={"status": CheckStatus.CHECKING, "queued_at": timezone.now(), "finished_at": None}
    )
    transaction.on_commit(lambda: tasks.run_checks.delay(str(asset.pk)))
    return check
