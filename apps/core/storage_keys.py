"""Every private file's storage key, built here and nowhere else. Keys are deterministic where a
retry must find (or replace) its own file, and carry a random part where racing makers must never
write over each other's bytes."""

from __future__ import annotations

import uuid


def generation_output_key(*, project_id, generation_id, index: int, attempt: int, extension: str) -> str:
    """Per job, output and attempt: an attempt writes only its own file, so a late or superseded
    one never overwrites the file another attempt's row points at."""
    return f"projects/{project_id}/generations/{generation_id}/{index}.a{attempt}.{extension}"


def upload_key(*, project_id, extension: str) -> str:
    return f"projects/{project_id}/uploads/{uuid.uuid4()}.{extension}"


def reference_image_key(*, project_id, entry_id, reference_id, extension: str) -> str:
    return f"projects/{project_id}/library/{entry_id}/{reference_id}.{extension}"


def derived_key(key: str, label: str, extension: str, *, unique: bool = False) -> str:
    """A file made from the one under `key` (a thumbnail, a model part), next to it: the same
    name without its extension, then `label` (and a random part when `unique`)."""
    stem = key.rsplit(".", 1)[0]
    label = label.replace(":", "-")
    if unique:
        label = f"{label}.{uuid.uuid4().hex[:8]}"
    return f"{stem}.{label}.{extension}"
