"""Content Credentials (C2PA): an asset's signed history inside the file it is downloaded as.

The stored original never changes (its sha256 stays what the model returned). A credentialed copy
is a Rendition whose spec is a hash of everything its manifest says (the review log, the project's
settings, the parents' own specs, the signing certificate): when any of it changes, so does the
spec, the next download makes a new copy and older ones go. Parents are credentialed first
(recursively, each cached the same way) so their manifests nest as ingredients and the chain is whole.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import c2pa
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from rest_framework import status

from apps.assets import signing
from apps.assets.files import file_delete, file_write
from apps.assets.models import Asset, Origin, Relation, Rendition
from apps.assets.renditions import rendition_key, rendition_save, thumbnail_get_or_make
from apps.core.exceptions import ApplicationError

logger = logging.getLogger(__name__)

CLAIM_GENERATOR = {"name": "Brand image platform", "version": "1"}
PLATFORM_ASSERTION = "com.brand-image-platform.provenance"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
SPEC_PREFIX = "c2pa:"
INCOMING_SPEC = "c2pa-incoming"  # the manifest an uploaded file carried, kept as an ingredient archive
INCOMING_LABEL = "incoming"
UNTRUSTED = "signingCredential.untrusted"
SUMMARY_CACHE_SECONDS = 24 * 3600

# How each lineage edge appears in a manifest: the ingredient's relationship and, for the parent,
# the action that changed it. A manifest has one parent at most; components and references feed
# the model's action.
MANIFEST_BY_RELATION = {
    Relation.EDITED_FROM: ("parentOf", "c2pa.edited"),
    Relation.TRANSLATED_FROM: ("parentOf", "c2pa.translated"),
    Relation.UPSCALED_FROM: ("parentOf", "c2pa.resized"),
    Relation.COMPOSED_FROM: ("componentOf", None),
    Relation.VARIATION_OF: ("componentOf", None),
}

# Extra fields of the platform assertion, by name: another app (campaigns: the cell's coordinates)
# registers a function of the asset returning JSON-able data, or None when it has nothing to say.
PLATFORM_FIELDS: dict[str, Callable[[Asset], Any]] = {}


def platform_field_register(name: str, describe: Callable[[Asset], Any]) -> None:
    PLATFORM_FIELDS[name] = describe


class CredentialsUnavailable(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


@dataclass
class _Ingredient:
    definition: dict  # what the builder is told about it
    identity: str  # what else decides its bytes (a hash or a parent's spec), for the spec
    mime_type: str
    key: Callable[[], str]  # its storage key (a parent's credentialed copy is made when asked)
    is_archive: bool = False

    @property
    def label(self) -> str:
        return self.definition["label"]


@dataclass
class _Plan:
    asset: Asset
    definition: dict
    ingredients: list[_Ingredient]
    resources: dict[str, Rendition]  # thumbnails by the identifier the definitions use
    spec: str
    credentials: signing.SigningCredentials


def _extension(asset: Asset) -> str:
    return asset.file.name.rsplit(".", 1)[-1]


def _as_json(data) -> Any:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def _carries_manifest(asset: Asset) -> bool:
    """Whether a stored model output came with its own Content Credentials (Google adds them on
    some surfaces). Cached by content hash: the original never changes."""
    key = f"c2pa-carries:{asset.sha256}"
    found = cache.get(key)
    if found is None:
        with default_storage.open(asset.file.name, "rb") as source:
            try:
                found = c2pa.Reader.try_create(asset.mime_type, source) is not None
            except c2pa.C2paError as exc:
                logger.warning("unreadable C2PA data in asset %s, not kept: %s", asset.pk, exc)
                found = False
        cache.set(key, found, None)
    return found


def _review_policy(project) -> dict:
    """The review policy in force now: decisions do not record the one in force when they were made."""
    from apps.approvals.policy import policy_for

    rules = policy_for(project)
    return {
        "decider_roles": list(rules.decider_roles),
        "four_eyes": rules.four_eyes,
        "approvals_required": rules.approvals_required,
        "updated_at": rules.updated_at,
    }


def platform_assertion(asset: Asset, *, links, references) -> dict:
    """What the platform knows beyond the C2PA vocabulary: project, job settings, review log."""
    job = asset.generation
    policy = _review_policy(asset.project)
    data = {
        "asset": {
            "id": asset.pk, "sha256": asset.sha256, "origin": asset.origin, "created_at": asset.created_at,
            "created_by": asset.created_by.username if asset.created_by else None,
        },
        "project": {"id": asset.project_id, "name": asset.project.name},
        "job": None,
        "parents": [{"asset": link.parent_id, "relation": link.relation} for link in links],
        "review_status": asset.review_status,
        "reviews": [
            {
                "reviewer": review.reviewer.username if review.reviewer else None, "decision": review.decision,
                "comment": review.comment, "at": review.created_at, "policy": policy,
                **({"waiver": review.waiver, "waived_checks": review.waived_checks} if review.waiver else {}),
            }
            for review in asset.reviews.select_related("reviewer").order_by("created_at", "id")
        ],
        "campaign": None,
    }
    if job is not None:
        data["job"] = {
            "id": job.pk, "kind": job.kind, "model": job.model, "model_version": asset.model_version or job.model_version,
            "response_id": asset.response_id or job.response_id,
            "settings": {
                "aspect_ratio": job.aspect_ratio, "image_size": job.image_size, "thinking_level": job.thinking_level or None,
                "grounding": {"web": job.web_search, "image": job.image_search}, "target_language": job.target_language or None,
            },
            "references": [
                {"id": use.reference_image_id, "entry": use.reference_image.entry.name, "kind": use.reference_image.entry.kind, "sha256": use.sha256}
                for use in references
            ],
        }
        if asset.project.credentials_include_prompt:
            data["job"]["prompt"] = job.prompt
    for name, describe in PLATFORM_FIELDS.items():
        data[name] = describe(asset)
    return _as_json(data)


def _thumbnail(asset: Asset, resources: dict) -> dict:
    """The platform's thumbnail of `asset` as a manifest thumbnail (made now if it has none yet)."""
    thumbnail = thumbnail_get_or_make(asset)
    identifier = f"thumbnail:{asset.pk}"
    resources[identifier] = thumbnail
    return {"thumbnail": {"format": thumbnail.mime_type, "identifier": identifier}}


def _ingredients(asset: Asset, *, links, references, resources, memo, credentials) -> list[_Ingredient]:
    ingredients = []
    has_parent = False
    for link in links:
        parent_plan = _plan(link.parent, memo=memo, credentials=credentials)
        relationship, _ = MANIFEST_BY_RELATION[link.relation]
        if relationship == "parentOf":
            relationship = "componentOf" if has_parent else relationship
            has_parent = True
        ingredients.append(_Ingredient(
            definition={
                "title": f"{link.parent_id}.{_extension(link.parent)}", "relationship": relationship,
                "label": f"{link.relation}:{link.parent_id}",
                "description": f"{link.get_relation_display()} asset {link.parent_id}",
                "metadata": {PLATFORM_ASSERTION: {"asset": str(link.parent_id), "relation": link.relation}},
                **_thumbnail(link.parent, resources),
            },
            identity=parent_plan.spec, mime_type=link.parent.mime_type,
            key=lambda plan=parent_plan: _rendition_for(plan).file.name,
        ))
    for use in references:
        image = use.reference_image
        ingredients.append(_Ingredient(
            definition={
                "title": f"{image.entry.name} ({image.entry.kind}) reference", "relationship": "inputTo",
                "label": f"reference:{use.position}",
                "description": f"Reference image of {image.entry.kind} {image.entry.name}, sent to the model",
                "metadata": {PLATFORM_ASSERTION: {"reference_image": str(image.pk), "relation": Relation.REFERENCES, "sha256": use.sha256}},
            },
            identity=use.sha256, mime_type=image.mime_type, key=lambda key=image.file.name: key,
        ))
    if asset.origin == Origin.UPLOAD:
        incoming = asset.renditions.filter(spec=INCOMING_SPEC).first()
        if incoming is not None:
            ingredients.append(_Ingredient(
                definition={"label": INCOMING_LABEL, "relationship": "parentOf"}, identity=incoming.file.name,
                mime_type=incoming.mime_type, key=lambda key=incoming.file.name: key, is_archive=True,
            ))
        else:
            ingredients.append(_Ingredient(
                definition={"title": "Uploaded file", "relationship": "parentOf", "label": "upload",
                            "description": "The uploaded image as stored (re-encoded on upload)"},
                identity=asset.sha256, mime_type=asset.mime_type, key=lambda: asset.file.name,
            ))
    elif _carries_manifest(asset):
        ingredients.append(_Ingredient(
            definition={"title": f"Output of {asset.generation.model}", "relationship": "componentOf", "label": "upstream",
                        "description": "The image as the model returned it, with the Content Credentials it carried"},
            identity=asset.sha256, mime_type=asset.mime_type, key=lambda: asset.file.name,
        ))
    return ingredients


def _with_ingredients(action: dict, labels: list[str], **parameters) -> dict:
    if labels:
        parameters["ingredientIds"] = labels
    return {**action, "parameters": parameters} if parameters else action


def _actions(asset: Asset, ingredients: list[_Ingredient], links) -> list[dict]:
    """First `c2pa.opened` (a parent: the edited asset, or the uploaded file) or `c2pa.created`."""
    parent = next((i for i in ingredients if i.definition["relationship"] == "parentOf"), None)
    inputs = [i.label for i in ingredients if i is not parent]
    job = asset.generation
    if job is None:
        actions = [_with_ingredients({"action": "c2pa.opened"}, [parent.label])]
        if parent.is_archive:
            actions.append({"action": "c2pa.transcoded", "description": "Re-encoded on upload: the pixels kept, other metadata removed."})
        return actions
    made = {
        "softwareAgent": {"name": job.model, "version": asset.model_version or job.model_version or job.model},
        "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA,
        "description": f"{job.get_kind_display()} by {job.model}"
        + (f" into {job.target_language}" if job.target_language else "") + f" at {job.image_size}",
    }
    if parent is None:
        return [_with_ingredients({"action": "c2pa.created", **made}, inputs)]
    relation = next(link.relation for link in links if f"{link.relation}:{link.parent_id}" == parent.label)
    changed = MANIFEST_BY_RELATION[relation][1]
    # C2PA requires both languages of a translation; the source's is not recorded, so "und" (BCP 47: undetermined).
    languages = {"sourceLanguage": "und", "targetLanguage": job.target_language} if changed == "c2pa.translated" else {}
    return [_with_ingredients({"action": "c2pa.opened"}, [parent.label]), _with_ingredients({"action": changed, **made}, inputs, **languages)]


def _plan(asset: Asset, *, memo: dict, credentials: signing.SigningCredentials) -> _Plan:
    """What the asset's manifest says and what its spec is, parents planned first (once each)."""
    if asset.pk in memo:
        return memo[asset.pk]
    from apps.generations.models import GenerationReference

    links = list(asset.parent_links.select_related("parent").order_by("id"))
    references = list(
        GenerationReference.objects.filter(generation_id=asset.generation_id).select_related("reference_image__entry").order_by("position")
    ) if asset.generation_id else []
    resources = {}
    ingredients = _ingredients(asset, links=links, references=references, resources=resources, memo=memo, credentials=credentials)
    definition = {
        "claim_generator_info": [CLAIM_GENERATOR],
        "title": f"{asset.pk}.{_extension(asset)}",
        "format": asset.mime_type,
        **_thumbnail(asset, resources),
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": _actions(asset, ingredients, links)}},
            {"label": PLATFORM_ASSERTION, "data": platform_assertion(asset, links=links, references=references)},
        ],
    }
    fingerprint = {
        "definition": definition, "ingredients": [[i.definition, i.identity] for i in ingredients],
        "resources": {identifier: rendition.file.name for identifier, rendition in resources.items()},
        "original": asset.sha256, "signer": credentials.fingerprint, "sdk": c2pa.sdk_version(),
    }
    spec = SPEC_PREFIX + hashlib.sha256(json.dumps(fingerprint, sort_keys=True).encode()).hexdigest()[:32]
    memo[asset.pk] = _Plan(
        asset=asset, definition=definition, ingredients=ingredients, resources=resources, spec=spec, credentials=credentials
    )
    return memo[asset.pk]


def _sign(plan: _Plan, signed: IO[bytes]) -> None:
    builder = c2pa.Builder(plan.definition, context=signing.building_context())
    for identifier, thumbnail in plan.resources.items():
        with default_storage.open(thumbnail.file.name, "rb") as source:
            builder.add_resource(identifier, source)
    for ingredient in plan.ingredients:
        with default_storage.open(ingredient.key(), "rb") as source:  # streamed: a parent can be a 4K file
            if ingredient.is_archive:
                builder.add_ingredient_from_archive(source)
            else:
                builder.add_ingredient(ingredient.definition, ingredient.mime_type, source)
    with signing.signer_from(plan.credentials) as signer, default_storage.open(plan.asset.file.name, "rb") as original:
        builder.sign(signer, plan.asset.mime_type, original, signed)


def _rendition_for(plan: _Plan) -> Rendition:
    existing = Rendition.objects.filter(asset=plan.asset, spec=plan.spec).first()
    if existing is not None:
        return existing
    asset = plan.asset
    key = rendition_key(asset, plan.spec, _extension(asset))
    with tempfile.TemporaryFile() as signed:  # on disk, not in memory: a 4K PNG is tens of MiB
        try:
            _sign(plan, signed)
        except (c2pa.C2paError, OSError) as exc:  # OSError: a file of the asset or an ingredient is missing
            raise CredentialsUnavailable(f"Content Credentials could not be signed: {exc}", code="credentials_unavailable") from exc
        size = signed.seek(0, io.SEEK_END)
        signed.seek(0)
        file_write(key, signed)
    rendition, created = rendition_save(asset, plan.spec, key, mime_type=asset.mime_type, width=asset.width, height=asset.height, size_bytes=size)
    if not created:  # another worker stored this spec first; theirs says the same
        return rendition
    stale = Rendition.objects.filter(asset=asset, spec__startswith=SPEC_PREFIX).exclude(spec=plan.spec)
    stale_keys = list(stale.values_list("file", flat=True))
    stale.delete()
    transaction.on_commit(lambda: [file_delete(old) for old in stale_keys])
    return rendition


def credentialed_file(asset: Asset) -> Rendition:
    """The asset's copy carrying Content Credentials, made now when its history changed since the
    last one (and its parents' first). Its `file` is the storage key to serve or zip."""
    try:
        plan = _plan(asset, memo={}, credentials=signing.signing_credentials())
    except ImproperlyConfigured as exc:
        raise CredentialsUnavailable(str(exc), code="credentials_unavailable") from exc
    except OSError as exc:  # the stored original is missing
        raise CredentialsUnavailable(f"Content Credentials could not be made: {exc}", code="credentials_unavailable") from exc
    return _rendition_for(plan)


def credentials_manifest_fields(rendition: Rendition, sha256: str) -> dict:
    """For an export's manifest.json: the file in the zip is the credentialed copy, not the original
    whose `sha256` the entry records."""
    return {"content_credentials": True, "file_sha256": sha256, "file_size_bytes": rendition.size_bytes}


def incoming_archive(data: bytes, mime_type: str) -> bytes | None:
    """The Content Credentials an uploaded file carries, as an ingredient archive, before the
    upload is re-encoded (which drops them); None when it carries none we can read."""
    try:
        if c2pa.Reader.try_create(mime_type, io.BytesIO(data)) is None:
            return None
        builder = c2pa.Builder({"claim_generator_info": [CLAIM_GENERATOR]}, context=signing.building_context())
        builder.add_ingredient(
            {"title": "Uploaded file", "relationship": "parentOf", "label": INCOMING_LABEL,
             "description": "The file as uploaded, with the Content Credentials it carried"},
            mime_type, io.BytesIO(data),
        )
        archive = io.BytesIO()
        builder.write_ingredient_archive(INCOMING_LABEL, archive)
        return archive.getvalue()
    except c2pa.C2paError as exc:
        logger.warning("an upload's C2PA data could not be read, not kept: %s", exc)
        return None


def incoming_keep(*, asset: Asset, archive: bytes) -> Rendition:
    key = f"{asset.file.name.rsplit('.', 1)[0]}.incoming.c2pa"
    file_write(key, archive)
    return Rendition.objects.create(
        asset=asset, spec=INCOMING_SPEC, file=key, mime_type="application/c2pa", width=asset.width, height=asset.height, size_bytes=len(archive)
    )


# --- Reading

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


def credentials_summary(asset: Asset) -> dict:
    """The credentials a download of the asset carries, read back from the file (cached per copy)."""
    rendition = credentialed_file(asset)
    # Per copy and per trust setting: trusting a new root changes what a reader says of the same file.
    key = "c2pa-summary:" + hashlib.sha256(f"{rendition.file.name}|{settings.C2PA_TRUST_ANCHORS}".encode()).hexdigest()
    summary = cache.get(key)
    if summary is None:
        with default_storage.open(rendition.file.name, "rb") as source:
            summary = credentials_read(source, rendition.mime_type)
        cache.set(key, summary, SUMMARY_CACHE_SECONDS)
    return summary
