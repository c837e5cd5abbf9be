"""Thin entry points on the CPU-bound `renditions` queue."""

from celery import shared_task

from apps.assets import renditions


@shared_task(name="assets.make_thumbnail", ignore_result=True)
def make_asset_thumbnail(asset_id: str) -> None:
    renditions.thumbnail_make_queued(asset_id)
