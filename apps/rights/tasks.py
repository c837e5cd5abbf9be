"""Thin entry points: recomputes after a right changed, and the nightly run."""

from celery import shared_task


@shared_task(name="rights.refresh_descendants", ignore_result=True)
def refresh_descendants(kind: str, pk: str) -> None:
    from apps.rights import services

    services.descendants_refresh(kind=kind, pk=pk)


@shared_task(name="rights.nightly", ignore_result=True)
def nightly() -> None:
    from apps.rights import services

    services.rights_nightly()
