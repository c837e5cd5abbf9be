"""Thin entry points on the CPU-bound `renditions` queue."""

from celery import shared_task

from apps.assets import credentials, renditions


@shared_task(name="assets.make_thumbnail", ignore_result=True)
def make_asset_thumbnail(asset_id: str) -> None:
    renditions.thumbnail_make_queued(asset_id)


@shared_task(name="assets.sign_ahead", ignore_result=True)
def sign_ahead(asset_id: str) -> None:
    credentials.sign_ahead(asset_id)
