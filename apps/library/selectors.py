from django.db.models import Prefetch, QuerySet

from apps.library.models import LibraryEntry, ReferenceImage


def entry_queryset() -> QuerySet[LibraryEntry]:
    live_images = ReferenceImage.objects.filter(archived_at__isnull=True).order_by("created_at")
    return LibraryEntry.objects.prefetch_related(Prefetch("images", queryset=live_images, to_attr="live_images"))


def entry_list(*, project, kind: str, include_archived: bool = False) -> QuerySet[LibraryEntry]:
    entries = entry_queryset().filter(project=project, kind=kind)
    if not include_archived:
        entries = entries.filter(archived_at__isnull=True)
    return entries.order_by("name")
