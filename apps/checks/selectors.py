"""Reads of brand kits and check results."""

from apps.checks.models import AssetCheck, BrandKit, CheckStatus, Outcome


def kit_for(project) -> BrandKit:
    """The project's kit, created with the defaults the first time anyone asks."""
    kit, _ = BrandKit.objects.get_or_create(project=project)
    return kit


def status_filter(value: str | None) -> str:
    """A page's `?checks=` value when it names a status, else "" (no filter): one reading for the
    review queue, the campaign grid and whatever list filters by it next."""
    return value if value in CheckStatus.values else ""


def check_for(asset) -> AssetCheck | None:
    try:
        return asset.check_result
    except AssetCheck.DoesNotExist:
        return None


def failing_checks(asset) -> list[str]:
    """Names of the checks that failed in the asset's latest reading (empty while checking or unchecked)."""
    result = check_for(asset)
    if result is None:
        return []
    return [r["check"] for r in result.results if r.get("outcome") == Outcome.FAIL]


def summary(asset) -> dict | None:
    """What lists and the asset serializer show: status and the names per outcome; None if never checked."""
    result = check_for(asset)
    if result is None:
        return None
    by_outcome = {outcome.value: [] for outcome in Outcome}
    for r in result.results:
        by_outcome.setdefault(r.get("outcome"), []).append(r["check"])
    return {
        "status": result.status,
        "failed": by_outcome[Outcome.FAIL],
        "warnings": by_outcome[Outcome.WARN],
        "unavailable": by_outcome[Outcome.UNAVAILABLE],
        "kit_version": result.kit_version,
        "finished_at": result.finished_at,
        "checking": result.status == CheckStatus.CHECKING,
    }


def recheck_progress(project) -> dict | None:
    """The latest recheck of the project: {"id", "total", "done"}; None if none ran."""
    latest = (
        AssetCheck.objects.filter(asset__project=project).exclude(recheck="").order_by("-queued_at").values_list("recheck", flat=True).first()
    )
    if latest is None:
        return None
    rows = AssetCheck.objects.filter(asset__project=project, recheck=latest)
    return {"id": latest, "total": rows.count(), "done": rows.exclude(status=CheckStatus.CHECKING).count()}
