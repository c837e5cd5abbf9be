"""Signal receivers: never fail the sender."""

import logging

logger = logging.getLogger(__name__)


def on_asset_stored(sender, asset, **kwargs):
    from apps.checks import services

    try:
        services.check_queue(asset)
    except Exception:  # a check must never fail or delay the job that stored the asset
        logger.exception("checks: could not queue the checks of asset %s", asset.pk)
