"""Whether an asset's copy and logo, as the brand checks boxed them, stay inside a placement's
safe area once cropped: a box crossing a zone (or the crop's edge) is named with the zone."""

from __future__ import annotations

from apps.placements.catalogue import Placement
from apps.placements.rendering import Crop

PASS, WARN, UNCHECKED = "pass", "warn", "unchecked"


def _boxes(asset) -> list[dict] | None:
    """The checks' boxes ({"kind": text|logo, "checks", "box": [x, y, w, h]} in the asset's
    pixels, each once), or None while the asset has no finished reading."""
    from apps.checks.models import CheckStatus
    from apps.checks.selectors import check_for

    check = check_for(asset)
    if check is None or check.status == CheckStatus.CHECKING:
        return None
    unique: dict[tuple, dict] = {}
    for result in check.results or []:
        for box in result.get("boxes") or []:
            if isinstance(box, (list, tuple)) and len(box) == 4:
                kind = "logo" if result.get("check") == "logo" else "text"
                entry = unique.setdefault((kind, tuple(int(v) for v in box)), {"kind": kind, "box": [int(v) for v in box], "checks": []})
                entry["checks"].append(result.get("check"))
    return list(unique.values())


def _overlap(a: tuple, b: tuple) -> float:
    """Area of the intersection of two (x, y, w, h) rectangles."""
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0.0, w) * max(0.0, h)


def check(asset, placement: Placement, crop: Crop) -> dict:
    """{"status": pass|warn|unchecked, "problems": [text], "zones": [...]}: every box mapped into the
    placement (normalised), then tested against each safe zone and against the crop."""
    boxes = _boxes(asset)
    zones = [zone.as_dict() for zone in placement.safe_zones]
    if boxes is None:
        return {"status": UNCHECKED, "problems": [], "zones": zones, "message": "The brand checks have not read this asset yet."}
    problems = []
    for entry in boxes:
        x, y, w, h = entry["box"]
        what = "The logo" if entry["kind"] == "logo" else f"Text at {x},{y} ({w}×{h} px)"
        if _overlap((x, y, w, h), (crop.left, crop.top, crop.width, crop.height)) == 0:
            problems.append(f"{what} is cropped out.")
            continue
        # Into the placement, normalised; the part outside the crop is cut off.
        nx, ny = (x - crop.left) / crop.width, (y - crop.top) / crop.height
        nw, nh = w / crop.width, h / crop.height
        if nx < 0 or ny < 0 or nx + nw > 1 or ny + nh > 1:
            problems.append(f"{what} crosses the crop's edge (part of it is cut off).")
        for zone in placement.safe_zones:
            if _overlap((nx, ny, nw, nh), (zone.x, zone.y, zone.w, zone.h)) > 0:
                problems.append(f"{what} crosses the {zone.name} band.")
    return {"status": WARN if problems else PASS, "problems": problems, "zones": zones, "boxes": len(boxes)}
