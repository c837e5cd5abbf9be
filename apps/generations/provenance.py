"""The job part of an asset's provenance (apps.assets.provenance, which describes the rest): the job
that made it, its settings and the exact reference images it sent, under the disclosure asked.
Registered as the "generation" section from GenerationsConfig.ready()."""

from __future__ import annotations

from django.db.models import Prefetch

from apps.assets.provenance import Disclosure, named
from apps.generations.models import GenerationReference

PREFETCH = (
    Prefetch(
        "generation__references",
        queryset=GenerationReference.objects.select_related("reference_image__entry").order_by("position"),
    ),
)


def job_describe(asset, disclosure: Disclosure) -> dict:
    job = asset.generation
    if job is None:
        return {}
    data = {
        "id": str(job.pk),
        "kind": job.kind,
        "model": job.model,
        "model_version": asset.model_version or job.model_version,
        "response_id": asset.response_id or job.response_id,
        "settings": {
            "aspect_ratio": job.aspect_ratio,
            "image_size": job.image_size,
            "thinking_level": job.thinking_level or None,
            "grounding": {"web": job.web_search, "image": job.image_search},
            "target_language": job.target_language or None,
        },
        "references": [
            named(
                {"id": str(use.reference_image_id), "kind": use.reference_image.entry.kind, "sha256": use.sha256},
                "entry", use.reference_image.entry.name, disclosure.names,
            )
            for use in job.references.all()
        ],
    }
    if disclosure.prompt:
        data["prompt"] = job.prompt
    return {"generation": data}
