"""An output's model turn, stored with its asset (`Asset.model_parts`) so a refinement thread can
send it back verbatim (apps.refinements.history reads it): the SDK's JSON of each part, each image's
bytes replaced by `inline_data.stored = {"key", "sha256"}`."""

from __future__ import annotations

import copy
import hashlib

from apps.assets.files import file_delete, file_write
from apps.assets.images import EXTENSION_BY_MIME
from apps.core.storage_keys import derived_key
from apps.gemini.gateway import TurnPart


def model_parts_store(*, parts: list[TurnPart], asset_key: str, asset_part: int, asset_sha256: str) -> list[dict]:
    """The model's turn as JSON for `Asset.model_parts`; writes the files of images other than the
    asset's own (part `asset_part`, whose bytes the asset file holds and whose digest the caller
    already has) under keys fixed by the asset's."""
    records = []
    for index, part in enumerate(parts):
        fields = copy.deepcopy(part.fields)
        if part.data is not None:
            key, sha256 = asset_key, asset_sha256
            if index != asset_part:
                extension = EXTENSION_BY_MIME.get(fields["inline_data"].get("mime_type"), "bin")
                key = file_write(derived_key(asset_key, f"part{index}", extension), part.data)
                sha256 = hashlib.sha256(part.data).hexdigest()
            fields["inline_data"]["stored"] = {"key": key, "sha256": sha256}
        records.append(fields)
    return records


def model_parts_delete(records: list[dict], *, asset_key: str) -> None:
    """Remove the side files `model_parts_store` wrote (the asset's own file is not its to delete)."""
    for fields in records:
        stored = (fields.get("inline_data") or {}).get("stored")
        if stored and stored["key"] != asset_key:
            file_delete(stored["key"])
