"""A zip of a project's assets with a manifest.json a DAM or CMS can ingest with provenance."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone

from apps.assets.credentials import credentialed_file, credentials_manifest_fields
from apps.assets.models import Asset, AssetLink
from apps.assets.selectors import asset_list
from apps.generations.models import GenerationReference

MAX_EXPORT_ASSETS = 5000


def _manifest_entry(asset: Asset, name: str) -> dict:
    job = asset.generation
    return {
        "id": str(asset.pk),
        "file": name,
        "sha256": asset.sha256,
        "size_bytes": asset.size_bytes,
        "mime_type": asset.mime_type,
        "width": asset.width,
        "height": asset.height,
        "origin": asset.origin,
        "created_at": asset.created_at,
        "created_by": asset.created_by.username if asset.created_by else None,
        "review_status": asset.review_status,
        "generation": None if job is None else {
            "id": str(job.pk),
            "kind": job.kind,
            "prompt": job.prompt,
            "model": job.model,
            "model_version": asset.model_version,
            "response_id": asset.response_id,
            "settings": {
                "aspect_ratio": job.aspect_ratio,
                "image_size": job.image_size,
                "thinking_level": job.thinking_level or None,
                "grounding": {"web": job.web_search, "image": job.image_search},
                "target_language": job.target_language or None,
            },
            "references": [
                {
                    "id": str(ref.reference_image_id),
                    "entry": ref.reference_image.entry.name,
                    "kind": ref.reference_image.entry.kind,
                    "sha256": ref.sha256,
                }
                for ref in job.references.all()
            ],
        },
        "parents": [{"id": str(link.parent_id), "relation": link.relation} for link in asset.parent_links.all()],
        "reviews": [
            {"decision": r.decision, "reviewer": r.reviewer.username if r.reviewer else None, "comment": r.comment, "at": r.created_at}
            for r in asset.reviews.all()
        ],
    }


def export_zip(*, project, review_status: str | None = "approved"):
    """Build the zip in a temporary file (spilling to disk past 64 MiB) and return it, rewound."""
    assets = (
        asset_list(project=project, review_status=review_status)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("parent_links", queryset=AssetLink.objects.order_by("id")),
            "reviews__reviewer",
            Prefetch("generation__references", queryset=GenerationReference.objects.select_related("reference_image__entry")),
        )
        .order_by("created_at")[:MAX_EXPORT_ASSETS]
    )
    out = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)
    entries = []
    with zipfile.ZipFile(out, "w") as archive:
        for asset in assets:
            name = f"assets/{asset.pk}.{asset.file.name.rsplit('.', 1)[-1]}"
            credentialed = credentialed_file(asset)
            digest = hashlib.sha256()
            with default_storage.open(credentialed.file.name, "rb") as source, archive.open(name, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
                    digest.update(chunk)
            entries.append({**_manifest_entry(asset, name), **credentials_manifest_fields(credentialed, digest.hexdigest())})
        manifest = {
            "project": {"id": str(project.pk), "name": project.name},
            "exported_at": timezone.now(),
            "review_status": review_status,
            "assets": entries,
        }
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2), compress_type=zipfile.ZIP_DEFLATED)
    out.seek(0)
    return out
