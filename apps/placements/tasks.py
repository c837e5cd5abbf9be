"""Thin entry points on the CPU-bound `renditions` queue (named under assets.* so the existing
route sends them there)."""

from celery import shared_task

from apps.placements import services


@shared_task(name="assets.render_placements", ignore_result=True)
def render_placements(asset_id: str) -> None:
    services.placements_render_all(asset_id)
