"""A zip of a campaign's finals laid out for delivery, `{language}/{format}/{product}-{scene}.png`,
with a manifest giving each file's campaign coordinates beside the provenance the project export has
(the files are the copies carrying Content Credentials; `file_sha256` is theirs, `sha256` the original's)."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile

from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.text import slugify

from apps.assets.credentials import credentialed_file, credentials_manifest_fields
from apps.assets.exports import _manifest_entry
from apps.assets.models import Asset, AssetLink
from apps.campaigns import selectors
from apps.campaigns.models import Campaign


def export_path(*, language: str, aspect_ratio: str, product_name: str, scene_number: int, extension: str) -> str:
    """A colon is not allowed in file names on every system, so `4:5` is written `4x5`."""
    return f"{language}/{aspect_ratio.replace(':', 'x')}/{slugify(product_name) or 'product'}-{scene_number}.{extension}"


def campaign_export_zip(*, campaign: Campaign, review_status: str | None = "approved"):
    """Build the zip in a temporary file (spilling to disk past 64 MiB) and return it, rewound."""
    from apps.generations.models import GenerationReference

    finals = []
    for state in selectors.campaign_state(campaign):
        for version in state.versions:
            final = version.final.asset
            if final is not None and (review_status is None or final.review_status == review_status):
                finals.append((state, version, final))
    assets = {
        asset.pk: asset
        for asset in Asset.objects.filter(pk__in=[final.pk for _, _, final in finals])
        .select_related("generation", "created_by")
        .prefetch_related(
            Prefetch("parent_links", queryset=AssetLink.objects.order_by("id")),
            "reviews__reviewer",
            Prefetch("generation__references", queryset=GenerationReference.objects.select_related("reference_image__entry")),
        )
    }
    out = tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024)
    entries = []
    with zipfile.ZipFile(out, "w") as archive:
        for state, version, final in finals:
            cell, asset = state.cell, assets[final.pk]
            name = export_path(
                language=version.language, aspect_ratio=cell.aspect_ratio, product_name=cell.product.name,
                scene_number=cell.scene_index + 1, extension=asset.file.name.rsplit(".", 1)[-1],
            )
            # As in the project export: the file is the copy carrying Content Credentials.
            credentialed = credentialed_file(asset)
            digest = hashlib.sha256()
            with default_storage.open(credentialed.file.name, "rb") as source, archive.open(name, "w") as target:
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)
                    digest.update(chunk)
            entry = {**_manifest_entry(asset, name), **credentials_manifest_fields(credentialed, digest.hexdigest())}
            entry["campaign"] = {
                "cell": str(cell.pk),
                "product": {"id": str(cell.product_id), "name": cell.product.name},
                "scene": {"number": cell.scene_index + 1, "text": campaign.scenes[cell.scene_index]},
                "format": cell.aspect_ratio,
                "language": version.language,
                "version": str(version.asset.pk),
                "chosen_draft": str(state.chosen.pk),
            }
            entries.append(entry)
        manifest = {
            "project": {"id": str(campaign.project_id), "name": campaign.project.name},
            "campaign": {"id": str(campaign.pk), "name": campaign.name, "scenes": campaign.scenes, "formats": campaign.formats,
                         "languages": campaign.languages},
            "exported_at": timezone.now(),
            "review_status": review_status,
            "assets": entries,
        }
        archive.writestr("manifest.json", json.dumps(manifest, cls=DjangoJSONEncoder, indent=2), compress_type=zipfile.ZIP_DEFLATED)
    out.seek(0)
    return out
