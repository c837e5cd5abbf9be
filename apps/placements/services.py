"""Writing placements: a project's own, an asset's focal point, and the placement files themselves.

A placement file is a Rendition of the asset (spec "pl:{key}:{hash}") made once per spec by
whoever asks first (a request, or the renditions queue after approval), as thumbnails are. The
hash covers the placement as defined, the focal point used and the asset's credentialed history,
so a changed focal point, placement or review log makes a new file on the next request and the
older one of that key goes."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from apps.assets import credentials
from apps.assets.files import file_delete, file_write
from apps.assets.models import Asset, ReviewStatus, Rendition
from apps.assets.renditions import rendition_key, rendition_save
from apps.assets.services import RENDER_PLACEMENTS_TASK
from apps.core.exceptions import Conflict
from apps.core.tasks import send_on_commit
from apps.placements import catalogue, rendering, safezones, selectors
from apps.placements.catalogue import Placement
from apps.placements.models import PlacementRendition, ProjectPlacement
from apps.rights.services import use_check

logger = logging.getLogger(__name__)

SPEC_PREFIX = "pl:"
RENDER_QUEUE = "renditions"
# What Content Credentials add to a file is measured on the first signing; the encoder then aims
# under the limit by that much, and tries again (smaller) if the signed file still overshoots.
SIGN_ATTEMPTS = 3
SIGN_MARGIN_BYTES = 512


# --- the rights hook


def _may_deliver(asset: Asset, placement: Placement) -> None:
    """The asset's rights decide: refused (409 rights_expired / rights_not_started /
    rights_channel) when they have ended, not yet begun, or do not cover the placement's channel."""
    use_check(asset, use="placement", channel=placement.channel)


# --- a project's own placements


def project_placement_create(*, project, user, data: dict) -> ProjectPlacement:
    """Validated as the catalogue is (size, bytes, formats, safe zones, a ratio a model makes);
    a key may not shadow the catalogue's or repeat one of the project's."""
    placement = catalogue.placement_from({**data, "ratio": None}, custom=True)
    if catalogue.catalogue_placement(placement.key) is not None:
        raise Conflict(f"The key {placement.key!r} is the catalogue's; choose another.", field="key", code="key_taken")
    try:
        with transaction.atomic():
            return ProjectPlacement.objects.create(
                project=project, key=placement.key, channel=placement.channel, label=placement.label,
                width=placement.width, height=placement.height, ratio=placement.ratio, max_bytes=placement.max_bytes,
                formats=list(placement.formats), safe_zones=[{"name": z.name, "x": z.x, "y": z.y, "w": z.w, "h": z.h} for z in placement.safe_zones],
                dpi=placement.dpi, created_by=user,
            )
    except IntegrityError as exc:
        raise Conflict(f"This project already has a placement {placement.key!r}.", field="key", code="key_taken") from exc


# --- the focal point


def _logo_box(asset: Asset) -> list | None:
    from apps.checks.selectors import check_for

    check = check_for(asset)
    for result in (check.results if check else []):
        if result.get("check") == "logo" and result.get("boxes"):
            return result["boxes"][0]
    return None


def focal_point_for(asset: Asset, image=None) -> dict:
    """{"x", "y", "source"}: a person's point, else the centre of the logo the brand checks found,
    else libvips' attention centre (cached by content: the original never changes)."""
    if asset.focal_point:
        return {**asset.focal_point, "source": "person"}
    box = _logo_box(asset)
    if box:
        x, y, w, h = box
        return {"x": round((x + w / 2) / asset.width, 4), "y": round((y + h / 2) / asset.height, 4), "source": "logo"}
    key = f"placements-attention:{asset.sha256}"
    found = cache.get(key)
    if found is None:
        if image is None:
            with default_storage.open(asset.file.name, "rb") as source:
                image = rendering.source_open(source)
        x, y = rendering.attention_point(image)
        found = {"x": round(x, 4), "y": round(y, 4), "source": "attention"}
        cache.set(key, found, None)
    return found


# --- placement files


def placement_spec(placement: Placement, focal: dict, parent_spec: str) -> str:
    fingerprint = {"placement": placement.as_dict(), "focal": focal, "parent": parent_spec, "catalogue": catalogue.catalogue_version()}
    digest = hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:12]
    return f"{SPEC_PREFIX}{placement.key}:{digest}"


@dataclass
class _Source:
    """An asset's decoded pixels, shared by every placement made in one go."""

    asset: Asset
    image: object = None

    def pixels(self):
        if self.image is None:
            with default_storage.open(self.asset.file.name, "rb") as source:
                self.image = rendering.source_open(source)
        return self.image


def placement_file(asset: Asset, placement: Placement, *, user=None, source: _Source | None = None) -> PlacementRendition:
    """The asset's file for `placement`, made now if its spec has none yet. Refused by
    _may_deliver; RenderFailed (422) with the figures when the bytes cannot fit."""
    _may_deliver(asset, placement)
    source = source or _Source(asset)
    focal = focal_point_for(asset, image=source.image)
    spec = placement_spec(placement, focal, credentials.credentials_spec(asset))
    existing = PlacementRendition.objects.filter(rendition__asset=asset, rendition__spec=spec).select_related("rendition").first()
    if existing is not None:
        return existing
    rendered = rendering.render(source.pixels(), placement, (focal["x"], focal["y"]))
    title = f"{asset.pk}-{placement.key}"
    budget = placement.max_bytes
    for _ in range(SIGN_ATTEMPTS):
        encoded = rendering.encode(rendered.image, placement, budget)
        signed = credentials.derived_sign(
            asset, encoded.data, encoded.mime_type, title=f"{title}.{encoded.extension}", user=user,
            actions=_actions(asset, placement, rendered.crop), relation=selectors.PLACEMENT_RELATION,
        )
        if len(signed) <= placement.max_bytes:
            break
        # What the credentials add is (nearly) constant: aim under the limit by that much.
        budget = min(budget - SIGN_MARGIN_BYTES, placement.max_bytes - (len(signed) - len(encoded.data)) - SIGN_MARGIN_BYTES)
    else:
        raise rendering.RenderFailed(
            f"{placement.label} ({placement.key}): with its Content Credentials the file is {len(signed):,} bytes, over the limit of "
            f"{placement.max_bytes:,}.", field="max_bytes", code="byte_limit_unreachable",
            details={"limit": placement.max_bytes, "smallest": len(signed)},
        )
    return _store(asset, placement, spec, signed, encoded, rendered, focal)


def _actions(asset: Asset, placement: Placement, crop: rendering.Crop) -> list[dict]:
    region = {"type": "rectangle", "unit": "pixel", "origin": {"x": crop.left, "y": crop.top}, "width": crop.width, "height": crop.height}
    actions = []
    if (crop.width, crop.height) != (asset.width, asset.height):
        actions.append({"action": "c2pa.cropped", "description": f"Cropped for {placement.label}",
                        "changes": [{"region": [{"type": "spatial", "shape": region}], "description": "The part of the asset kept."}]})
    actions.append({"action": "c2pa.resized", "description": f"Scaled to {placement.width}×{placement.height} ({crop.scale:.3f}×) for {placement.label}"})
    return actions


def _store(asset, placement, spec, data: bytes, encoded, rendered, focal) -> PlacementRendition:
    key = file_write(rendition_key(asset, spec.replace(":", "-"), encoded.extension), data)
    with transaction.atomic():
        rendition, created = rendition_save(
            asset, spec, key, mime_type=encoded.mime_type, width=placement.width, height=placement.height, size_bytes=len(data),
        )
        if not created:  # another maker was first; theirs says the same
            return PlacementRendition.objects.get(rendition=rendition)
        row = PlacementRendition.objects.create(
            rendition=rendition, asset=asset, placement_key=placement.key, format=encoded.format, quality=encoded.quality,
            subsampling=encoded.subsampling or "", crop=rendered.crop.as_dict(), focal_point=focal, warnings=rendered.warnings,
            encodings_tried=encoded.attempts,
        )
        stale = Rendition.objects.filter(asset=asset, spec__startswith=f"{SPEC_PREFIX}{placement.key}:").exclude(pk=rendition.pk)
        stale_keys = list(stale.values_list("file", flat=True))
        stale.delete()
        transaction.on_commit(lambda: [file_delete(old) for old in stale_keys])
    logger.info("placement %s of asset %s: %s bytes %s q%s", placement.key, asset.pk, len(data), encoded.format, encoded.quality)
    return row


def placement_summary(asset: Asset, placement: Placement, row: PlacementRendition | None) -> dict:
    """What the panel, the REST list and the export manifest say of one placement of an asset."""
    crop = rendering.Crop(**row.crop) if row else _expected_crop(asset, placement)
    return {
        **placement.as_dict(),
        "rendered": row is not None,
        "size_bytes": row.rendition.size_bytes if row else None,
        "format": row.format if row else None,
        "quality": row.quality if row else None,
        "warnings": list(row.warnings) if row else [],
        "crop": crop.as_dict() if crop else None,
        "focal_point": row.focal_point if row else None,
        "safe_zones_result": safezones.check(asset, placement, crop) if crop else None,
    }


def _expected_crop(asset: Asset, placement: Placement) -> rendering.Crop | None:
    """The crop a render would use now (the attention point is found once per image and cached)."""
    try:
        focal = focal_point_for(asset)
    except (rendering.RenderFailed, OSError):
        return None
    return rendering.crop_for(asset.width, asset.height, placement.width, placement.height, (focal["x"], focal["y"]))


# --- ahead of need


def placements_render_all(asset_id) -> dict[str, str]:
    """Every placement of the asset's project made now from one decode (the renditions queue's
    turn after approval); failures are logged and answered on request, never raised here."""
    asset = Asset.objects.select_related("project").filter(pk=asset_id).first()
    if asset is None:
        return {}
    source = _Source(asset)
    outcome = {}
    for placement in selectors.placements_for(asset.project):
        try:
            placement_file(asset, placement, source=source)
            outcome[placement.key] = "made"
        except Exception as exc:  # one placement failing does not stop the others
            logger.warning("placement %s of asset %s not made ahead: %s", placement.key, asset.pk, exc)
            outcome[placement.key] = getattr(exc, "code", "failed")
    return outcome


def render_ahead_on_approval(sender, review, asset, previous_status=None, **kwargs) -> None:
    """`review_decided` receiver: once an asset is approved its placements are made on the
    renditions queue, so the first download does not wait."""
    if asset.review_status == ReviewStatus.APPROVED and settings.PLACEMENTS_RENDER_AHEAD:
        send_on_commit(RENDER_PLACEMENTS_TASK, [str(asset.pk)], queue=RENDER_QUEUE)
