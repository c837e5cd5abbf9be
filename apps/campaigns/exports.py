"""A zip of a campaign's finals laid out for delivery, `{language}/{format}/{product}-{scene}.png`,
with a manifest giving each file's campaign coordinates beside the provenance the project export has
(the files are the copies carrying Content Credentials; `file_sha256` is theirs, `sha256` the original's)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.text import slugify

from apps.assets.exports import credentialed_zip_entry, deliverable
from apps.assets.models import Asset
from apps.assets.provenance import with_provenance
from apps.campaigns import selectors
from apps.campaigns.models import Campaign
from apps.core.downloads import ZipEntry


def product_file_names(products) -> dict:
    """{product id: its name in file paths}: readable (Unicode letters kept, so "靴" stays "靴"
    and "Schuh für Läufer" is "schuh-für-läufer") and distinct within the campaign by
    construction: names no other product shares are kept as they are, then the ones that
    collide ("Shoe" and "Shoe!" are both "shoe"; a name of no letters is "product") get the
    first "-2", "-3" ... that no product has. A path is `{name}-{scene number}` and the scene
    number is the part after the last "-", so distinct names give distinct paths."""
    products = sorted(products, key=lambda p: (p.name, str(p.pk)))
    base = {p.pk: slugify(p.name, allow_unicode=True) or "product" for p in products}
    counts = {}
    for name in base.values():
        counts[name] = counts.get(name, 0) + 1
    names = {pk: name for pk, name in base.items() if counts[name] == 1}
    taken = set(names.values())
    for product in products:
        if product.pk in names:
            continue
        name, n = base[product.pk], 1
        candidate = name
        while candidate in taken:
            n += 1
            candidate = f"{name}-{n}"
        names[product.pk] = candidate
        taken.add(candidate)
    return names


def export_path(*, language: str, aspect_ratio: str, product_file_name: str, scene_number: int, extension: str) -> str:
    """A colon is not allowed in file names on every system, so `4:5` is written `4x5`."""
    return f"{language}/{aspect_ratio.replace(':', 'x')}/{product_file_name}-{scene_number}.{extension}"


def placement_path(*, placement, language: str, product_file_name: str, scene_number: int, extension: str) -> str:
    return f"{placement.channel}/{placement.key}/{language}/{product_file_name}-{scene_number}.{extension}"


def campaign_export_entries(*, campaign: Campaign, review_status: str | None = "approved", placements: list = (),
                            territory: str | None = None, channel: str | None = None) -> Iterator[ZipEntry]:
    """The finals as zip entries (each the copy carrying Content Credentials), then manifest.json;
    `apps.core.downloads.zip_response` streams them. A file's digest is complete once the zip asks
    for the next entry, so its manifest line is written after it. With `placements`, each final is
    delivered as every placement of its cell's ratio instead (apps.placements.exports)."""
    finals = []
    for state in selectors.campaign_state(campaign):
        for version in state.versions:
            final = version.final.asset
            if final is not None and (review_status is None or final.review_status == review_status):
                finals.append((state, version, final))
    assets = {asset.pk: asset for asset in with_provenance(Asset.objects.filter(pk__in=[final.pk for _, _, final in finals]))}
    allowed, left_out = deliverable(list(assets.values()), territory=territory, channel=channel)  # ended rights: left out, listed
    allowed_ids = {asset.pk for asset in allowed}
    finals = [(state, version, final) for state, version, final in finals if final.pk in allowed_ids]
    entries = []
    file_names = product_file_names(campaign.products.all())
    for state, version, final in finals:
        cell, asset = state.cell, assets[final.pk]
        if placements:
            yield from _placement_entries(campaign, state, version, asset, placements, file_names, entries)
            continue
        name = export_path(
            language=version.language, aspect_ratio=cell.aspect_ratio, product_file_name=file_names[cell.product_id],
            scene_number=cell.scene_index + 1, extension=asset.file.name.rsplit(".", 1)[-1],
        )
        # As in the project export: the file is the copy carrying Content Credentials.
        zip_entry, describe = credentialed_zip_entry(asset, name)
        yield zip_entry
        entry = describe()
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
                     "placements": campaign.placements, "languages": campaign.languages},
        "exported_at": timezone.now(),
        "review_status": review_status,
        "territory": territory,
        "channel": channel,
        "assets": entries,
        "left_out": left_out,
    }
    yield ZipEntry("manifest.json", data=json.dumps(manifest, cls=DjangoJSONEncoder, indent=2).encode())


def _placement_entries(campaign, state, version, asset, placements, file_names, lines: list) -> Iterator[ZipEntry]:
    from apps.placements.exports import placement_entries

    cell = state.cell
    mine = [p for p in placements if p.ratio == cell.aspect_ratio]

    def path_for(placement, extension):
        return placement_path(placement=placement, language=version.language, product_file_name=file_names[cell.product_id],
                              scene_number=cell.scene_index + 1, extension=extension)

    for entry, line in placement_entries(asset, mine, path_for):
        if entry is not None:
            yield entry
        line["campaign"] = {"cell": str(cell.pk), "product": {"id": str(cell.product_id), "name": cell.product.name},
                            "scene": {"number": cell.scene_index + 1, "text": campaign.scenes[cell.scene_index]},
                            "format": cell.aspect_ratio, "language": version.language, "version": str(version.asset.pk)}
        lines.append(line)
