"""Content Credentials (C2PA), reading: what a reader shows of a file's credentials (signer,
actions, ingredients with their own manifests, validation), for the asset page's panel and the
credentials endpoint. Signing is apps.assets.credentials."""

from __future__ import annotations

import hashlib
import json

import c2pa
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage

from apps.assets import signing
from apps.assets.credentials import PLATFORM_ASSERTION, credentialed_file
from apps.assets.models import Asset

UNTRUSTED = "signingCredential.untrusted"
SUMMARY_CACHE_SECONDS = 24 * 3600


def _validation(state: str | None, failures: list[str], signer: dict) -> dict:
    others = [code for code in failures if code != UNTRUSTED]
    if state == "Trusted":
        verdict, text = "trusted", "Valid, signed by a trusted certificate"
    elif state == "Valid" and not others:
        verdict = "valid"
        if signer.get("issuer") == signing.DEVELOPMENT_ORGANIZATION:
            text = "Valid, signed by an untrusted development certificate"
        else:
            text = "Valid, signed by a certificate this server does not trust"
    else:
        verdict, text = "invalid", "Invalid: " + (", ".join(others) or "the manifest could not be validated")
    return {"state": state, "verdict": verdict, "text": text, "failures": failures}


def _actions_of(manifest: dict) -> list[dict]:
    actions = []
    for assertion in manifest.get("assertions", []):
        if assertion["label"].startswith("c2pa.actions"):
            for action in assertion["data"].get("actions", []):
                agent = action.get("softwareAgent")
                if isinstance(agent, dict):
                    agent = " ".join(filter(None, [agent.get("name"), agent.get("version")]))
                actions.append({
                    "action": action["action"], "description": action.get("description", ""),
                    "software_agent": agent or "", "digital_source_type": action.get("digitalSourceType", ""),
                })
    return actions


def _manifest_summary(store: dict, label: str, validation: dict) -> dict:
    manifest = store["manifests"][label]
    info = manifest.get("signature_info", {})
    signer = {"issuer": info.get("issuer"), "common_name": info.get("common_name"), "algorithm": info.get("alg"), "time": info.get("time")}
    ingredients = []
    for ingredient in manifest.get("ingredients", []):
        nested = ingredient.get("active_manifest")
        entry = {
            "title": ingredient.get("title"), "relationship": ingredient.get("relationship"),
            "description": ingredient.get("description", ""),
            "platform": (ingredient.get("metadata") or {}).get(PLATFORM_ASSERTION),
            "manifest": None,
        }
        if nested and nested in store["manifests"]:
            failures = [f["code"] for f in ingredient.get("validation_results", {}).get("activeManifest", {}).get("failure", [])]
            nested_signer = store["manifests"][nested].get("signature_info", {})
            nested_validation = _validation("Valid" if not [c for c in failures if c != UNTRUSTED] else "Invalid", failures, nested_signer)
            entry["manifest"] = _manifest_summary(store, nested, nested_validation)
        ingredients.append(entry)
    platform = next((a["data"] for a in manifest.get("assertions", []) if a["label"] == PLATFORM_ASSERTION), None)
    return {
        "label": label, "title": manifest.get("title"), "signer": signer, "validation": validation,
        "actions": _actions_of(manifest), "ingredients": ingredients, "platform": platform,
    }


def credentials_read(stream, mime_type: str) -> dict | None:
    """What a Content Credentials reader shows of a file: signer, actions, ingredients (their own
    manifests nested) and the validation result; None when the file carries none."""
    try:
        reader = c2pa.Reader.try_create(mime_type, stream, context=signing.reading_context())
    except c2pa.C2paError as exc:
        return {
            "label": None, "title": None, "signer": {}, "validation": _validation("Invalid", [str(exc)], {}),
            "actions": [], "ingredients": [], "platform": None,
        }
    if reader is None:
        return None
    with reader:
        store = json.loads(reader.json())
        state = reader.get_validation_state()
        results = reader.get_validation_results() or {}
    failures = [f["code"] for f in results.get("activeManifest", {}).get("failure", [])]
    label = store["active_manifest"]
    validation = _validation(state, failures, store["manifests"][label].get("signature_info", {}))
    return _manifest_summary(store, label, validation)


def credentials_summary(asset: Asset, *, user=None) -> dict:
    """The credentials a download of the asset carries, read back from the file (cached per copy).
    A signing it needs draws on `user`'s signing allowance."""
    rendition = credentialed_file(asset, user=user)
    # Per copy and per trust setting: trusting a new root changes what a reader says of the same file.
    key = "c2pa-summary:" + hashlib.sha256(f"{rendition.file.name}|{settings.C2PA_TRUST_ANCHORS}".encode()).hexdigest()
    summary = cache.get(key)
    if summary is None:
        with default_storage.open(rendition.file.name, "rb") as source:
            summary = credentials_read(source, rendition.mime_type)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary


RELATIONSHIP_WORDS = {"parentOf": "made from", "componentOf": "part of it", "inputTo": "used as input"}


def with_names(summary: dict, *, project_id) -> dict:
    """The summary for the asset page: ingredients that are this project's assets named by their
    titles (a signed file names them by file, "<uuid>.png"), relationships in words. A copy: the
    cached summary is not changed."""
    ingredients = [dict(ingredient) for ingredient in summary.get("ingredients", [])]
    ids = [(i.get("platform") or {}).get("asset") for i in ingredients]
    assets = Asset.objects.filter(project_id=project_id, pk__in=[i for i in ids if i]).select_related("generation")
    by_id = {str(asset.pk): asset for asset in assets}
    for ingredient, asset_id in zip(ingredients, ids):
        asset = by_id.get(asset_id or "")
        ingredient["name"] = asset.display_title if asset else ingredient.get("title")
        ingredient["asset_id"] = asset.pk if asset else None
        ingredient["relationship_text"] = RELATIONSHIP_WORDS.get(ingredient.get("relationship"), ingredient.get("relationship") or "")
    return {**summary, "ingredients": ingredients}
