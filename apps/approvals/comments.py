"""Pinned review comments: what a pin may be and who a comment mentions. Pure rules, no writes
(apps.approvals.services writes, apps.approvals.selectors reads)."""

from __future__ import annotations

import math
import re

from apps.core.exceptions import ValidationFailed

MENTION = re.compile(r"(?<![\w@])@([\w.+-]+)")


def pin_checked(pin) -> dict | None:
    """A pin as stored: {"x", "y"} a point or {"x", "y", "w", "h"} a rectangle, in 0–1 of the image.
    Refused naming `pin` and the limits: other keys, non-numbers, outside 0–1, a rectangle of no area."""
    if pin is None:
        return None
    limits = {"min": 0, "max": 1}
    if not isinstance(pin, dict) or set(pin) not in ({"x", "y"}, {"x", "y", "w", "h"}):
        raise ValidationFailed(
            'A pin is {"x", "y"} (a point) or {"x", "y", "w", "h"} (a rectangle), each from 0 to 1 of the image.',
            field="pin", code="invalid_pin", details=limits,
        )
    values = {}
    for key, value in pin.items():
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or not 0 <= value <= 1:
            raise ValidationFailed(f"pin.{key} must be a number from 0 to 1; got {value!r}.", field="pin", code="invalid_pin", details={**limits, "value": value})
        values[key] = round(float(value), 6)
    if "w" in values:
        if values["w"] <= 0 or values["h"] <= 0:
            raise ValidationFailed(f"The pinned rectangle has no area (w={values['w']:g}, h={values['h']:g}).", field="pin", code="invalid_pin", details=limits)
        if values["x"] + values["w"] > 1 + 1e-9 or values["y"] + values["h"] > 1 + 1e-9:
            raise ValidationFailed(
                f"The pinned rectangle reaches outside the image (to x={values['x'] + values['w']:g}, y={values['y'] + values['h']:g}); it must end by 1.",
                field="pin", code="invalid_pin", details=limits,
            )
    return {key: values[key] for key in ("x", "y", "w", "h") if key in values}


def is_rectangle(pin: dict | None) -> bool:
    return bool(pin) and "w" in pin


def mentioned_usernames(body: str) -> list[str]:
    """The @names in a comment, in order, each once."""
    return list(dict.fromkeys(MENTION.findall(body)))
