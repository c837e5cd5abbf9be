from decimal import Decimal

from django.db.models import Prefetch, QuerySet, Sum
from django.utils import timezone

from apps.assets.selectors import asset_queryset
from apps.gemini import catalogue
from apps.generations import deliveries
from apps.generations.models import UNFINISHED, Generation


def generation_queryset() -> QuerySet[Generation]:
    """A job with everything its API answer shows (its delivery's part too), in a fixed number of queries."""
    return Generation.objects.select_related("created_by", "project").prefetch_related(
        "sources", "references", Prefetch("assets", queryset=asset_queryset().order_by("output_index")),
        *deliveries.prefetches(),
    )


def generation_list(*, project) -> QuerySet[Generation]:
    return generation_queryset().filter(project=project)


def unfinished_jobs(*, project) -> QuerySet[Generation]:
    return generation_queryset().filter(project=project, status__in=UNFINISHED)


def spend_this_month(project) -> Decimal:
    """Finished jobs at their recorded cost plus unfinished ones at list price, so a burst of
    requests cannot overshoot a budget."""
    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    this_month = Generation.objects.filter(project=project, created_at__gte=month_start)
    spent = this_month.aggregate(total=Sum("cost_usd"))["total"] or Decimal(0)
    unfinished = this_month.filter(status__in=UNFINISHED)
    for model_id, image_size, count, delivery in unfinished.values_list("model", "image_size", "count", "delivery"):
        spent += catalogue.get_model(model_id).price(image_size, delivery) * count
    return spent

