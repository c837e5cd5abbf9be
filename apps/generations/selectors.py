from django.db.models import Prefetch, QuerySet

from apps.assets.selectors import asset_queryset
from apps.generations.models import Generation


def generation_queryset() -> QuerySet[Generation]:
    """A job with everything its API answer shows, in a fixed number of queries."""
    return Generation.objects.select_related("created_by", "project").prefetch_related(
        "sources", "references", Prefetch("assets", queryset=asset_queryset().order_by("output_index"))
    )


def generation_list(*, project) -> QuerySet[Generation]:
    return generation_queryset().filter(project=project)
