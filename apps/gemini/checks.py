"""Checks a job's settings against the catalogue before anything is queued or sent upstream."""

from __future__ import annotations

from dataclasses import dataclass

from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue
from apps.gemini.catalogue import ImageModel


@dataclass(frozen=True)
class ImageSettings:
    """Settings resolved against one model; what a Generation stores and the gateway sends."""

    model: ImageModel
    aspect_ratio: str
    image_size: str
    thinking_level: str | None
    web_search: bool
    image_search: bool


def _reject(field: str, message: str, allowed=None) -> ValidationFailed:
    details = {"allowed": list(allowed)} if allowed is not None else None
    return ValidationFailed(message, code="invalid", field=field, details=details)


def resolve_model(name: str | None) -> ImageModel:
    model = catalogue.get_model(name or catalogue.DEFAULT_MODEL)
    if model is None:
        allowed = [m.alias for m in catalogue.MODELS]
        raise _reject("model", f"Unknown model {name!r}. Allowed: {', '.join(allowed)} (or their full ids).", allowed)
    return model


def check_image_settings(
    *,
    model: str | None,
    aspect_ratio: str | None,
    image_size: str | None,
    thinking_level: str | None,
    web_search: bool = False,
    image_search: bool = False,
    input_images: int = 0,
) -> ImageSettings:
    resolved = resolve_model(model)
    label = f"{resolved.alias} ({resolved.model_id})"

    aspect_ratio = aspect_ratio or catalogue.DEFAULT_ASPECT_RATIO
    if aspect_ratio not in resolved.aspect_ratios:
        raise _reject(
            "aspect_ratio",
            f"{label} does not support aspect ratio {aspect_ratio!r}. Allowed: {', '.join(resolved.aspect_ratios)}.",
            resolved.aspect_ratios,
        )

    image_size = image_size or resolved.default_size
    if image_size not in resolved.sizes:
        raise _reject(
            "image_size",
            f"{label} does not support image size {image_size!r}. Allowed: {', '.join(resolved.sizes)}.",
            resolved.sizes,
        )

    if thinking_level:
        if thinking_level not in resolved.thinking_levels:
            allowed = resolved.thinking_levels
            hint = f"Allowed: {', '.join(allowed)}." if allowed else "This model has no thinking level; leave it empty."
            raise _reject("thinking_level", f"{label} does not support thinking level {thinking_level!r}. {hint}", allowed)

    if web_search and not resolved.web_search:
        raise _reject("grounding.web", f"{label} does not support Google web search grounding.")
    if image_search and not resolved.image_search:
        raise _reject("grounding.image", f"{label} does not support Google image search grounding.")

    if input_images > resolved.max_input_images:
        raise ValidationFailed(
            f"{label} accepts at most {resolved.max_input_images} input images per request; this job would send {input_images}.",
            field="source_assets",
            details={"limit": resolved.max_input_images, "value": input_images},
        )

    return ImageSettings(
        model=resolved,
        aspect_ratio=aspect_ratio,
        image_size=image_size,
        thinking_level=thinking_level or None,
        web_search=web_search,
        image_search=image_search,
    )
