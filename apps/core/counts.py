"""Counts a page shows, bounded: "1,000+" instead of reading a million rows on every view."""

from django.db.models import QuerySet

# A page counts its matches up to this many, then says "more than": a COUNT stops at the cap
# (SELECT COUNT(*) FROM (... LIMIT cap + 1)) instead of reading every row of a large project.
COUNT_CAP = 1000


def capped_count(queryset: QuerySet, cap: int | None = None) -> tuple[int, str]:
    """(the count up to cap + 1, "" or "1,000" when there are more than `cap`, COUNT_CAP by default)."""
    cap = cap or COUNT_CAP
    if getattr(queryset, "known_over_cap", False) and cap <= COUNT_CAP:
        # Set by a selector that already found more than COUNT_CAP matches (a search's probe):
        # counting them again would read every match.
        return cap + 1, f"{cap:,}"
    counted = queryset.order_by()[: cap + 1].count()
    return counted, (f"{cap:,}" if counted > cap else "")
