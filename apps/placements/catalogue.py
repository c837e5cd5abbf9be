"""The placement catalogue (catalogue.toml beside this file) and the rules every placement obeys,
the catalogue's and a project's own alike: one place for sizes, limits, formats and safe zones."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue as models

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MIME_BY_FORMAT = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
EXTENSION_BY_FORMAT = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
BANDS = ("top", "bottom", "left", "right")
CHANNEL_LABELS = {"meta": "Meta", "google": "Google", "iab": "IAB", "pinterest": "Pinterest", "youtube": "YouTube",
                  "linkedin": "LinkedIn", "x": "X", "print": "Print", "custom": "The project's own"}

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,23}$")  # 24 at most: a rendition spec is "pl:{key}:{12 hex}"
MIN_SIDE, MAX_SIDE = 16, 8192
MIN_BYTES, MAX_BYTES = 1024, 200 * 1024 * 1024
# A placement's shape must be one a model can generate closely: the crop from the nearest ratio
# keeps at least this share of the generated image (728×90 from 8:1 keeps 99%, 320×50 keeps 80%).
MIN_KEPT_SHARE = 0.75
MAX_SAFE_ZONES = 8


@dataclass(frozen=True)
class SafeZone:
    """An area to keep clear of copy and logos, normalised to the placement (0..1)."""

    name: str
    x: float
    y: float
    w: float
    h: float

    def as_dict(self) -> dict:
        return {"name": self.name, "x": self.x, "y": self.y, "w": self.w, "h": self.h}


@dataclass(frozen=True)
class Placement:
    key: str
    channel: str
    label: str
    width: int
    height: int
    ratio: str
    max_bytes: int
    formats: tuple[str, ...]
    safe_zones: tuple[SafeZone, ...] = ()
    dpi: int | None = None
    custom: bool = False
    source: dict = field(default_factory=dict, compare=False, hash=False)  # as written, for the spec hash

    @property
    def kept_share(self) -> float:
        return kept_share(self.width, self.height, self.ratio)

    def as_dict(self) -> dict:
        return {
            "key": self.key, "channel": self.channel, "label": self.label, "width": self.width, "height": self.height,
            "ratio": self.ratio, "max_bytes": self.max_bytes, "formats": list(self.formats),
            "safe_zones": [zone.as_dict() for zone in self.safe_zones], "dpi": self.dpi, "custom": self.custom,
        }


def _ratio_value(ratio: str) -> float:
    width, height = models.PIXELS_1K[ratio]
    return width / height


def generatable_ratios() -> tuple[str, ...]:
    """Every ratio at least one model makes."""
    return tuple(dict.fromkeys(r for m in models.MODELS for r in m.aspect_ratios))


def nearest_ratio(width: int, height: int) -> str:
    """The ratio to generate at: nearest on a log scale, so 8:1 and 1:8 are as far from 1:1."""
    target = math.log(width / height)
    return min(generatable_ratios(), key=lambda r: abs(math.log(_ratio_value(r)) - target))


def kept_share(width: int, height: int, ratio: str) -> float:
    """The share of an image generated at `ratio` that a crop to width:height keeps."""
    a, b = width / height, _ratio_value(ratio)
    return min(a, b) / max(a, b)


def _number(value, name: str, field_name: str, *, low, high, kind=int):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not float(value).is_integer()):
        raise ValidationFailed(f"{name}: {field_name} must be a number, not {value!r}.", field=field_name, code="invalid")
    if not low <= value <= high:
        raise ValidationFailed(
            f"{name}: {field_name} is {value}; it must be between {low} and {high}.", field=field_name, code="out_of_range",
            details={"value": value, "min": low, "max": high},
        )
    return kind(value)


def _safe_zones(raw, name: str) -> tuple[SafeZone, ...]:
    if raw in (None, ""):
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_SAFE_ZONES:
        raise ValidationFailed(f"{name}: safe_zones must be a list of at most {MAX_SAFE_ZONES} zones.", field="safe_zones", code="invalid")
    zones = []
    for index, zone in enumerate(raw):
        if not isinstance(zone, dict):
            raise ValidationFailed(f"{name}: safe zone {index + 1} must be an object.", field="safe_zones", code="invalid")
        label = str(zone.get("name") or "").strip()[:80]
        if "band" in zone:
            band = zone["band"]
            if band not in BANDS:
                raise ValidationFailed(f"{name}: safe zone {index + 1} has band {band!r}; use one of {', '.join(BANDS)}.", field="safe_zones", code="invalid")
            size = _number(zone.get("size"), name, "safe_zones", low=0.01, high=0.5, kind=float)
            x, y, w, h = {"top": (0, 0, 1, size), "bottom": (0, 1 - size, 1, size), "left": (0, 0, size, 1), "right": (1 - size, 0, size, 1)}[band]
            label = label or f"{band} {round(size * 100)}%"
        else:
            x, y, w, h = (_number(zone.get(k), name, "safe_zones", low=0.0, high=1.0, kind=float) for k in ("x", "y", "w", "h"))
            if w <= 0 or h <= 0 or x + w > 1.0001 or y + h > 1.0001:
                raise ValidationFailed(f"{name}: safe zone {index + 1} ({x}, {y}, {w}×{h}) must lie inside the image.", field="safe_zones", code="invalid")
            label = label or f"area {index + 1}"
        zones.append(SafeZone(name=label, x=round(x, 4), y=round(y, 4), w=round(w, 4), h=round(h, 4)))
    return tuple(zones)


def placement_from(raw: dict, *, custom: bool = False) -> Placement:
    """A placement from its data (the catalogue file, or a project's own), validated: every refusal
    names the field, the limit and the value."""
    key = str(raw.get("key") or "")
    if not KEY_PATTERN.match(key):
        raise ValidationFailed(
            f"The key {key!r} must be 2–24 lower-case letters, digits or underscores, starting with a letter.", field="key", code="invalid",
        )
    name = f"Placement {key}"
    width = _number(raw.get("width"), name, "width", low=MIN_SIDE, high=MAX_SIDE)
    height = _number(raw.get("height"), name, "height", low=MIN_SIDE, high=MAX_SIDE)
    max_bytes = _number(raw.get("max_bytes"), name, "max_bytes", low=MIN_BYTES, high=MAX_BYTES)
    formats = tuple(str(f).upper() for f in raw.get("formats") or ())
    unknown = [f for f in formats if f not in FORMATS]
    if not formats or unknown:
        raise ValidationFailed(
            f"{name}: formats must name one or more of {', '.join(FORMATS)}" + (f"; {', '.join(unknown)} is not one." if unknown else "."),
            field="formats", code="invalid",
        )
    nearest = nearest_ratio(width, height)
    ratio = raw.get("ratio") or nearest
    if ratio not in generatable_ratios():
        raise ValidationFailed(f"{name}: ratio {ratio!r} is not one any model generates.", field="ratio", code="invalid")
    share = kept_share(width, height, nearest)
    if share < MIN_KEPT_SHARE:
        raise ValidationFailed(
            f"{name}: {width}×{height} (ratio {width / height:.2f}) is too far from any ratio a model can generate: "
            f"the nearest, {nearest}, would keep only {share:.0%} of the image (at least {MIN_KEPT_SHARE:.0%} needed).",
            field="width", code="ratio_not_generatable", details={"nearest": nearest, "kept_share": round(share, 3), "min": MIN_KEPT_SHARE},
        )
    if kept_share(width, height, ratio) < share - 1e-9:
        raise ValidationFailed(f"{name}: ratio {ratio} is not the nearest to {width}×{height}; {nearest} is.", field="ratio", code="invalid")
    dpi = raw.get("dpi")
    if dpi is not None:
        dpi = _number(dpi, name, "dpi", low=36, high=1200)
    return Placement(
        key=key, channel=str(raw.get("channel") or "custom")[:40], label=str(raw.get("label") or key)[:120],
        width=width, height=height, ratio=ratio, max_bytes=max_bytes, formats=formats,
        safe_zones=_safe_zones(raw.get("safe_zones"), name), dpi=dpi, custom=custom,
        source={k: raw.get(k) for k in ("key", "channel", "label", "width", "height", "ratio", "max_bytes", "formats", "safe_zones", "dpi")},
    )


@cache
def _load() -> tuple[int, dict[str, Placement]]:
    data = tomllib.loads(CATALOGUE_FILE.read_text())
    placements = [placement_from(raw) for raw in data["placement"]]
    return data["version"], {p.key: p for p in placements}


def catalogue_version() -> int:
    return _load()[0]


def catalogue_placements() -> list[Placement]:
    return list(_load()[1].values())


def catalogue_placement(key: str) -> Placement | None:
    return _load()[1].get(key)
