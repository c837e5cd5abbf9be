"""Signal receivers: never fail the sender."""

import logging

logger = logging.getLogger(__name__)


def on_asset_stored(sender, asset, **kwargs):
    """A new asset's rights are computed as it is stored (a few queries, whatever its lineage), so
    a download right after the job already obeys them; the nightly run catches any that failed."""
    from apps.rights import services

    try:
        services.effective_rights_refresh([asset.pk])
    except Exception:
        logger.exception("rights: could not compute the rights of asset %s", asset.pk)
