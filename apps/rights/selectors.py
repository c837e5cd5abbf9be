"""Reading rights: what an asset page, a tile and the API show."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import timezone

from apps.assets.models import Asset
from apps.assets.selectors import RIGHTS_EXPIRING_DAYS, asset_queryset
from apps.rights.models import EffectiveRights, Right, RightKind
from apps.rights.services import is_expired, override_active


def stored_rights(asset: Asset) -> EffectiveRights | None:
    """The asset's effective rights row as loaded with it (asset_queryset selects it), or None."""
    try:
        return asset.effective_rights
    except ObjectDoesNotExist:
        return None


def state(row: EffectiveRights | None, *, today: date | None = None) -> str:
    """"none" (no rights recorded), "expired", "not_started", "expiring" (within 30 days), "overridden" or "valid"."""
    if row is None or not row.sources:
        return "none"
    today = today or timezone.localdate()
    if is_expired(row, today=today):
        return "expired"
    if row.ends_on and row.ends_on < today:
        return "overridden"
    if row.starts_on and row.starts_on > today:
        return "not_started"
    if row.ends_on and row.ends_on <= today + timedelta(days=RIGHTS_EXPIRING_DAYS):
        return "expiring"
    return "valid"


def sentence(row: EffectiveRights | None) -> str:
    """The asset page's rights line: "Valid in DE, AT, CH until 2027-03-31, from the talent release for Mira"."""
    if row is None or not row.sources:
        return "No rights recorded on the references or uploads it was made from."
    where = f"in {', '.join(row.territories)}" if row.territories else ("nowhere (its rights share no territory)" if row.territories == [] else "worldwide")
    channels = f" on {', '.join(row.channels)}" if row.channels else (" on no channel" if row.channels == [] else "")
    when = ""
    if row.starts_on and row.starts_on > timezone.localdate():
        when += f" from {row.starts_on.isoformat()}"
    when += f" until {row.ends_on.isoformat()}" if row.ends_on else " with no end date"
    origin = ""
    if row.limiting:
        source = row.limiting["source"]
        kind = RightKind(row.limiting["kind"]).label.lower()
        origin = f", from the {kind} for {source['name']} ({row.limiting['holder']})"
    today = timezone.localdate()
    if is_expired(row, today=today):
        verb = "Expired: was valid"
    elif row.ends_on and row.ends_on < today:  # ended, and an override covers today
        verb = f"Used under an override until {row.override_until.isoformat()}; was valid"
    else:
        verb = "Valid"
    return f"{verb} {where}{channels}{when}{origin}."


def summary(asset: Asset) -> dict | None:
    """The API's `rights` of an asset; null when nothing it descends from records rights."""
    row = stored_rights(asset)
    if row is None or not row.sources:
        return None
    today = timezone.localdate()
    return {
        "state": state(row, today=today),
        "starts_on": row.starts_on, "ends_on": row.ends_on,
        "territories": row.territories, "channels": row.channels,
        "expired": is_expired(row, today=today),
        "limiting": row.limiting,
        "override": {"reason": row.override_reason, "until": row.override_until, "active": override_active(row, today=today)}
        if row.override_until else None,
        "sources": row.sources,
    }


def describe(asset: Asset) -> dict | None:
    """For provenance (the export manifest and the Content Credentials assertion): who holds the
    rights, the window and where it holds. Null when none are recorded."""
    row = stored_rights(asset)
    if row is None or not row.sources:
        return None
    return {
        "holders": sorted({source["holder"] for source in row.sources}),
        "window": {"starts_on": row.starts_on.isoformat() if row.starts_on else None, "ends_on": row.ends_on.isoformat() if row.ends_on else None},
        "territories": row.territories or "worldwide",
        "channels": row.channels or "all",
        "override": {"reason": row.override_reason, "until": row.override_until.isoformat()} if row.override_until else None,
    }


def rights_list(*, reference_image=None, asset=None) -> QuerySet[Right]:
    rights = Right.objects.select_related("reference_image__entry", "asset", "created_by")
    return rights.filter(reference_image=reference_image) if reference_image is not None else rights.filter(asset=asset)


def expiring(*, project, days: int) -> QuerySet[Asset]:
    """Assets whose window ends within `days` days or has ended, soonest end first."""
    until = timezone.localdate() + timedelta(days=days)
    return asset_queryset().filter(project=project, effective_rights__ends_on__lte=until).order_by("effective_rights__ends_on", "-created_at", "id")
