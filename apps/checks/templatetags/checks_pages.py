"""How the pages show brand checks: the badge on tiles and lists, the asset page's panel."""

from django import template

from apps.checks.models import CheckStatus
from apps.checks.selectors import check_for, failing_checks as failing_checks_of

register = template.Library()

CHECK_LABELS = {"copy": "Copy", "spelling": "Spelling", "language": "Language", "terms": "Terms", "palette": "Palette",
                "logo": "Logo", "contrast": "Contrast", "size": "Size", "near_duplicate": "Near duplicate", "checks": "Checks"}
# The badge's words: a tile says what a person should do with it at a glance.
BADGE_LABELS = {CheckStatus.PASSED: "Checks passed", CheckStatus.ATTENTION: "Needs attention",
                CheckStatus.FAILED: "Checks failed", CheckStatus.CHECKING: "Checking"}
OUTCOME_LABELS = {"pass": "Pass", "warn": "Warning", "fail": "Fail", "unavailable": "Unavailable"}


@register.filter
def check_label(name: str) -> str:
    return CHECK_LABELS.get(name, name.replace("_", " ").capitalize())


@register.filter
def outcome_label(outcome: str) -> str:
    return OUTCOME_LABELS.get(outcome, outcome)


@register.filter
def failing_checks(asset) -> list[str]:
    return failing_checks_of(asset) if asset is not None else []


@register.inclusion_tag("checks/_badge.html")
def checks_badge(asset):
    """The asset's check status as a badge (nothing when it was never checked). Reads the row the
    list's queryset joined (asset_queryset selects check_result): no query per tile."""
    check = check_for(asset) if asset is not None else None
    if check is None:
        return {"status": None}
    failed = [r["check"] for r in check.results if r.get("outcome") == "fail"]
    attention = [r["check"] for r in check.results if r.get("outcome") in ("warn", "unavailable")]
    detail = ", ".join(check_label(name) for name in failed or attention)
    return {"status": check.status, "label": BADGE_LABELS.get(check.status, check.status), "detail": detail}


def _diff_parts(diff: list[dict]) -> list[dict]:
    """The copy check's word diff as spans to mark: equal words plain, missing ones struck, extra
    and changed ones highlighted, on the expected line and the read line."""
    expected, read = [], []
    for part in diff:
        op = part.get("op")
        words_expected, words_read = " ".join(part.get("expected", [])), " ".join(part.get("read", []))
        if op == "equal":
            expected.append({"op": "equal", "text": words_expected})
            read.append({"op": "equal", "text": words_read})
        else:
            if words_expected:
                expected.append({"op": "missing" if op == "missing" else "changed", "text": words_expected})
            if words_read:
                read.append({"op": "extra" if op == "extra" else "changed", "text": words_read})
    return [{"label": "Expected", "parts": expected}, {"label": "Read", "parts": read}]


@register.simple_tag
def checks_panel(asset) -> dict | None:
    """Everything the Checks panel draws, from the stored reading: each check with its outcome,
    the copy diff, the palette swatches, and the boxes (pixels of the stored image) for the overlay."""
    check = check_for(asset)
    if check is None:
        return None
    rows, boxes = [], []
    for index, r in enumerate(check.results):
        figures = r.get("figures") or {}
        row = {"id": f"check-{r['check']}", "name": r["check"], "label": check_label(r["check"]), "outcome": r.get("outcome"),
               "outcome_label": outcome_label(r.get("outcome")), "message": r.get("message", ""), "figures": figures,
               "boxes": len(r.get("boxes") or [])}
        if r["check"] == "copy" and figures.get("diff"):
            row["diff"] = _diff_parts(figures["diff"])
            row["similarity"] = figures.get("similarity")
        if r["check"] == "palette":
            row["swatches"] = figures.get("dominant", [])[:8]
        if r["check"] == "contrast":
            row["lines"] = figures.get("lines", [])
        if r["check"] == "spelling":
            row["misspelled"] = figures.get("misspelled", [])
        if r["check"] == "near_duplicate" and figures.get("closest_asset"):
            row["closest"] = {"asset": figures["closest_asset"], "distance": figures.get("closest_distance"), "status": figures.get("closest_status")}
        rows.append(row)
        for box in r.get("boxes") or []:
            if isinstance(box, (list, tuple)) and len(box) == 4:
                kind = "logo" if r["check"] == "logo" else "text"
                boxes.append({"check": r["check"], "kind": kind, "outcome": r.get("outcome"), "box": [int(v) for v in box]})
    # The same text line is boxed by several checks: draw it once, with the worst outcome.
    worst = {"fail": 3, "warn": 2, "unavailable": 1, "pass": 0}
    unique = {}
    for b in boxes:
        key = (b["kind"], tuple(b["box"]))
        if key not in unique or worst.get(b["outcome"], 0) > worst.get(unique[key]["outcome"], 0):
            unique[key] = {**b, "checks": sorted({*unique.get(key, {}).get("checks", []), b["check"]})}
        else:
            unique[key]["checks"] = sorted({*unique[key]["checks"], b["check"]})
    return {"status": check.status, "label": BADGE_LABELS.get(check.status, check.status), "rows": rows,
            "boxes": list(unique.values()), "width": asset.width, "height": asset.height,
            "kit_version": check.kit_version, "finished_at": check.finished_at}
