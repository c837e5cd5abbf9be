"""Region edits as jobs: intake (check the region, plan the crop, store the job with its region),
the request the model is sent (the crop, or the original and a marked copy), and the answer
composited into the source before it is stored. The geometry and pixels are apps.assets.regions;
the kinds table names the two hooks below, which the engine calls (apps.generations.requests,
apps.generations.engine.store_output)."""

from __future__ import annotations

import hashlib

from django.core.files.storage import default_storage

from apps.assets import regions
from apps.assets.files import file_write
from apps.assets.models import Asset
from apps.core.exceptions import ValidationFailed
from apps.gemini import catalogue, prompts
from apps.gemini.gateway import InputImage
from apps.generations.intake import GenerationInput, generation_create
from apps.generations.models import Generation, RegionEdit
from apps.projects import policy as project_policy
from apps.projects.policy import Action

KIND = "region_edit"


def _model_for(asset: Asset, model: str | None) -> catalogue.ImageModel:
    """The model asked for, else the one that made the source, else the default."""
    name = model or (asset.generation.model if asset.generation_id else catalogue.DEFAULT_MODEL)
    found = catalogue.get_model(name)
    if found is None:
        aliases = ", ".join(m.alias for m in catalogue.MODELS)
        raise ValidationFailed(f"Unknown model {name!r}. Choose one of: {aliases}.", field="model", details={"allowed": [m.alias for m in catalogue.MODELS]})
    return found


def _check_mode(mode: str) -> None:
    if mode not in regions.MODES:
        raise ValidationFailed(f"mode must be one of: {', '.join(regions.MODES)}; got {mode!r}.", field="mode", details={"allowed": list(regions.MODES)})


def region_of(asset: Asset, *, region: dict | None = None, mask: bytes | None = None) -> regions.Region:
    """The region drawn on `asset`: a rectangle or a brush mask, exactly one."""
    if (region is None) == (mask is None):
        raise ValidationFailed("Send either a region {x, y, w, h} or a mask image, not both or neither.", field="region", code="invalid_region")
    if mask is not None:
        return regions.region_from_mask(mask, width=asset.width, height=asset.height)
    return regions.region_from_rect(region, width=asset.width, height=asset.height)


def region_edit_preview(asset: Asset, *, region: dict, mode: str = "crop", model: str | None = None) -> dict:
    """What a region edit of `region` would send, for the page's crop preview: the part of the source
    the model sees (0–1 of the image and in pixels) and the answer's ratio and size. The same
    checks and plan as creating it, so the preview never shows a crop the job would not send."""
    _check_mode(mode)
    plan = regions.plan(region_of(asset, region=region), model=_model_for(asset, model), mode=mode)
    covers = plan.covers
    return {
        "covers": {"x": covers.left / asset.width, "y": covers.top / asset.height, "w": covers.width / asset.width, "h": covers.height / asset.height},
        "crop_pixels": [covers.width, covers.height], "aspect_ratio": plan.aspect_ratio, "image_size": plan.image_size,
        "answer_pixels": list(plan.answer_pixels),
    }


def region_edit_create(
    *, user, asset: Asset, prompt: str, region: dict | None = None, mask: bytes | None = None, mode: str = "crop",
    model: str | None = None, feather: int = regions.FEATHER_PX, context: float = regions.CONTEXT,
    characters: list = (), objects: list = (), idempotency_key: str = "",
) -> tuple[Generation, bool]:
    """A queued region edit of `asset`: the answer is sized from the crop (or the whole image when
    marked) and composited so that only the region changes. `characters` / `objects` (library
    entries) send their reference images too. Returns (job, created): a retry with the same
    Idempotency-Key and the same request returns the first job."""
    project_policy.check(user, asset.project, Action.GENERATE)
    _check_mode(mode)
    drawn = region_of(asset, region=region, mask=mask)
    chosen = _model_for(asset, model)
    plan = regions.plan(drawn, model=chosen, mode=mode, context=context)
    shape = {key: float(region[key]) for key in ("x", "y", "w", "h")} if region is not None else drawn.normalised
    data = GenerationInput(
        kind=KIND, prompt=prompt, model=chosen.model_id, aspect_ratio=plan.aspect_ratio, image_size=plan.image_size,
        source_assets=[asset.pk], characters=list(characters), objects=list(objects),
        kind_input={"region": shape, "mask": hashlib.sha256(mask).hexdigest() if mask else "", "mode": mode, "feather": feather, "context": context},
    )

    def describe(generation: Generation) -> None:
        mask_key = ""
        if drawn.mask is not None:
            mask_key = f"projects/{asset.project_id}/region-masks/{generation.pk}.png"
            file_write(mask_key, mask)
        RegionEdit.objects.create(
            generation=generation, mode=mode, region=shape, box=drawn.box.as_dict(), covers=plan.covers.as_dict(),
            box_2d=drawn.box_2d, mask=mask_key, feather=feather, context=context,
        )

    return generation_create(project=asset.project, user=user, data=data, idempotency_key=idempotency_key, on_insert=describe)


def _plan_of(spec: RegionEdit, source: Asset, mask_bytes: bytes | None) -> regions.Plan:
    """The plan stored at intake, rebuilt from its row (the model's size and ratio are the job's)."""
    box = regions.Box(spec.box["left"], spec.box["top"], spec.box["left"] + spec.box["width"], spec.box["top"] + spec.box["height"])
    region = regions.region_from_mask(mask_bytes, width=source.width, height=source.height) if mask_bytes else regions.Region(box, source.width, source.height)
    covers = regions.Box(spec.covers["left"], spec.covers["top"], spec.covers["left"] + spec.covers["width"], spec.covers["top"] + spec.covers["height"])
    generation = spec.generation
    pixels = catalogue.pixel_size(generation.aspect_ratio, generation.image_size)
    return regions.Plan(region, spec.mode, covers, generation.aspect_ratio, generation.image_size, pixels)


def _read(key: str) -> bytes:
    with default_storage.open(key, "rb") as handle:
        return handle.read()


def _source_bytes(source: Asset) -> bytes:
    return _read(source.file.name)


def request_images(generation: Generation, sources: list) -> tuple[list[InputImage], str]:
    """The images and words of a region edit's request (the kinds table's `request_hook`)."""
    spec = RegionEdit.objects.select_related("generation").get(generation=generation)
    source = sources[0].asset
    data = _source_bytes(source)
    plan = _plan_of(spec, source, _read(spec.mask.name) if spec.mask else None)
    if spec.mode == "marked":
        images = [
            InputImage(data=data, mime_type=source.mime_type, label="Original image:"),
            InputImage(data=regions.marked_image(data, plan.region), mime_type="image/png", label="The same image with the region to change outlined:"),
        ]
        return images, prompts.region_edit_marked_instruction(generation.prompt, box_2d=spec.box_2d)
    crop = regions.crop_image(data, plan.covers)
    return [InputImage(data=crop, mime_type="image/png", label="Part of the image to edit:")], prompts.region_edit_instruction(generation.prompt)


def composite_output(generation: Generation, sources: list | None, answer: bytes) -> bytes:
    """The model's answer composited into the source (the kinds table's `output_hook`): the stored
    asset has the source's exact size, and only the region differs from it."""
    spec = RegionEdit.objects.select_related("generation").get(generation=generation)
    source = sources[0].asset if sources else generation.sources.select_related("asset").get().asset
    plan = _plan_of(spec, source, _read(spec.mask.name) if spec.mask else None)
    return regions.composite(_source_bytes(source), answer, plan, feather=spec.feather)
