"""Building the model request a stored job stands for: settings, reference and source images in
the order sent, the kind's instruction, or a thread's history. Interactive runs and batch delivery
send the same request."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.utils.module_loading import import_string

from apps.gemini import kinds, prompts
from apps.gemini.checks import check_image_settings
from apps.gemini.gateway import ImageRequest, InputImage
from apps.generations.models import Generation


def source_prompt(sources) -> str:
    """The prompt the first source was made from (an upscale re-renders its draft with it)."""
    made_by = sources[0].asset.generation if sources else None
    return made_by.prompt if made_by is not None else ""


def build_request(generation: Generation, sources: list | None = None) -> ImageRequest:
    """`sources`: the job's GenerationSource rows with `asset__generation`, if the caller has them."""
    job = check_image_settings(
        model=generation.model,
        aspect_ratio=generation.aspect_ratio,
        image_size=generation.image_size,
        thinking_level=generation.thinking_level,
        web_search=generation.web_search,
        image_search=generation.image_search,
    )
    kind = kinds.get_kind(generation.kind)
    if kind.in_thread:  # the thread's history goes first; the refined image is in it
        history = import_string(kind.history_hook)(generation, request_of=build_request)
        return ImageRequest(settings=job, prompt=kind.instruction(generation.prompt), system_instruction=generation.system_instruction, history=history)
    images = []
    for reference in generation.references.select_related("reference_image"):
        with default_storage.open(reference.reference_image.file.name, "rb") as handle:
            images.append(InputImage(data=handle.read(), mime_type=reference.reference_image.mime_type, label=reference.label))
    if sources is None:
        sources = list(generation.sources.select_related("asset__generation"))
    if kind.request_hook:  # the kind sends its own images and words (a region edit's crop)
        own, text = import_string(kind.request_hook)(generation, sources)
        return ImageRequest(settings=job, prompt=text, images=(*images, *own), system_instruction=generation.system_instruction)
    for source in sources:
        with default_storage.open(source.asset.file.name, "rb") as handle:
            images.append(
                InputImage(data=handle.read(), mime_type=source.asset.mime_type, label=prompts.source_label(source.position, len(sources)))
            )
    text = kind.instruction(generation.prompt, target_language=generation.target_language, source_prompt=source_prompt(sources))
    return ImageRequest(settings=job, prompt=text, images=tuple(images), system_instruction=generation.system_instruction)
