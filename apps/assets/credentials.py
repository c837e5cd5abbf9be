"""Content Credentials (C2PA), signing: an asset's signed history inside the file it is downloaded
as. (Who signs: apps.assets.signing. Reading a file's credentials back: apps.assets.credentials_reading.
What the platform's assertion says: apps.assets.provenance.)

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
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

import c2pa
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from rest_framework import status

from apps.assets import provenance, signing
from apps.assets.files import file_delete, file_write
from apps.assets.models import Asset, Origin, Relation, Rendition
from apps.assets.renditions import rendition_key, rendition_save, thumbnail_get_or_make
from apps.assets.uses import use_check
from apps.core.exceptions import ApplicationError
from apps.core.throttling import signing_allowance_check

logger = logging.getLogger(__name__)

CLAIM_GENERATOR = {"name": "Brand image platform", "version": "1"}
PLATFORM_ASSERTION = "com.brand-image-platform.provenance"
TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
SPEC_PREFIX = "c2pa:"
INCOMING_SPEC = "c2pa-incoming"  # the manifest an uploaded file carried, kept as an ingredient archive
INCOMING_LABEL = "incoming"

# How each lineage edge appears in a manifest: the ingredient's relationship and, for the parent,
# the action that changed it. A manifest has one parent at most; components and references feed
# the model's action.
MANIFEST_BY_RELATION = {
    Relation.EDITED_FROM: ("parentOf", "c2pa.edited"),
    Relation.TRANSLATED_FROM: ("parentOf", "c2pa.translated"),
    Relation.UPSCALED_FROM: ("parentOf", "c2pa.resized"),
    Relation.REGION_EDIT_OF: ("parentOf", "c2pa.edited"),
    Relation.COMPOSED_FROM: ("componentOf", None),
    Relation.VARIATION_OF: ("componentOf", None),
}

# One signing per asset and spec at a time (a cache lock: per process on the local cache, across
# processes on Redis). Others wait a little for its copy, then get a 503 with Retry-After.
SIGNING_LOCK_SECONDS = 120  # longer than any signing; a crashed holder's lock lapses after it
SIGNING_WAIT_SECONDS = 3
SIGNING_POLL_SECONDS = 0.1


class CredentialsUnavailable(ApplicationError):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE


class SigningInProgress(CredentialsUnavailable):
    def __init__(self, message: str, *, retry_after: int, **kwargs):
        super().__init__(message, code="signing_in_progress", details={"retry_after_seconds": retry_after}, **kwargs)
        self.retry_after = retry_after


@dataclass
class _Ingredient:
    definition: dict  # what the builder is told about it
    identity: str  # what else decides its bytes (a hash or a parent's spec), for the spec
    mime_type: str
    key: Callable[..., str]  # its storage key, given how to sign (a parent's credentialed copy is made when asked)
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


def platform_assertion(asset: Asset) -> dict:
    """What the platform knows beyond the C2PA vocabulary (apps.assets.provenance), as much as the
    project publishes: decisions without names or comments unless its owner opted in."""
    return _as_json(provenance.describe(asset, disclosure=provenance.published(asset.project)))


def _thumbnail(asset: Asset, resources: dict) -> dict:
    """The platform's thumbnail of `asset` as a manifest thumbnail (made now if it has none yet)."""
    thumbnail = thumbnail_get_or_make(asset)
    identifier = f"thumbnail:{asset.pk}"
    resources[identifier] = thumbnail
    return {"thumbnail": {"format": thumbnail.mime_type, "identifier": identifier}}


def _ingredients(asset: Asset, *, links, references, resources, memo, credentials) -> list[_Ingredient]:
    names = provenance.published(asset.project).names
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
            key=lambda plan=parent_plan, **how: _rendition_for(plan, **how).file.name,
        ))
    for use in references:
        image = use.reference_image
        # A library entry's name is the team's own (a product before launch, a person): only by opt-in.
        named = f" {image.entry.name}" if names else ""
        ingredients.append(_Ingredient(
            definition={
                "title": f"{image.entry.name} ({image.entry.kind}) reference" if names else f"{image.entry.kind.capitalize()} reference {use.position + 1}",
                "relationship": "inputTo",
                "label": f"reference:{use.position}",
                "description": f"Reference image of {image.entry.kind}{named}, sent to the model",
                "metadata": {PLATFORM_ASSERTION: {"reference_image": str(image.pk), "relation": Relation.REFERENCES, "sha256": use.sha256}},
            },
            identity=use.sha256, mime_type=image.mime_type, key=lambda key=image.file.name, **_: key,
        ))
    if asset.origin == Origin.UPLOAD:
        incoming = asset.renditions.filter(spec=INCOMING_SPEC).first()
        if incoming is not None:
            ingredients.append(_Ingredient(
                definition={"label": INCOMING_LABEL, "relationship": "parentOf"}, identity=incoming.file.name,
                mime_type=incoming.mime_type, key=lambda key=incoming.file.name, **_: key, is_archive=True,
            ))
        else:
            ingredients.append(_Ingredient(
                definition={"title": "Uploaded file", "relationship": "parentOf", "label": "upload",
                            "description": "The uploaded image as stored (re-encoded on upload)"},
                identity=asset.sha256, mime_type=asset.mime_type, key=lambda **_: asset.file.name,
            ))
    elif _carries_manifest(asset):
        ingredients.append(_Ingredient(
            definition={"title": f"Output of {asset.generation.model}", "relationship": "componentOf", "label": "upstream",
                        "description": "The image as the model returned it, with the Content Credentials it carried"},
            identity=asset.sha256, mime_type=asset.mime_type, key=lambda **_: asset.file.name,
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
    if relation == Relation.REGION_EDIT_OF:
        made["changes"] = _region_changed(job)
    return [_with_ingredients({"action": "c2pa.opened"}, [parent.label]), _with_ingredients({"action": changed, **made}, inputs, **languages)]


def _region_changed(job) -> list[dict]:
    """A region edit's region of interest (C2PA region map, in the source's pixels): only it changed."""
    box = job.region_edit.box
    shape = {"type": "rectangle", "unit": "pixel", "origin": {"x": box["left"], "y": box["top"]}, "width": box["width"], "height": box["height"]}
    return [{"region": [{"type": "spatial", "shape": shape}], "description": "Only this region was changed; every pixel outside it is the source's."}]


def _plan(asset: Asset, *, memo: dict, credentials: signing.SigningCredentials) -> _Plan:
    """What the asset's manifest says and what its spec is, parents planned first (once each)."""
    if asset.pk in memo:
        return memo[asset.pk]
    asset = provenance.with_provenance(Asset.objects.filter(pk=asset.pk)).get()
    links = list(asset.parent_links.all())
    references = list(asset.generation.references.all()) if asset.generation_id else []
    resources = {}
    ingredients = _ingredients(asset, links=links, references=references, resources=resources, memo=memo, credentials=credentials)
    definition = {
        "claim_generator_info": [CLAIM_GENERATOR],
        "title": f"{asset.pk}.{_extension(asset)}",
        "format": asset.mime_type,
        **_thumbnail(asset, resources),
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": _actions(asset, ingredients, links)}},
            {"label": PLATFORM_ASSERTION, "data": platform_assertion(asset)},
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


def _sign(plan: _Plan, signed: IO[bytes], **how) -> None:
    builder = c2pa.Builder(plan.definition, context=signing.building_context())
    for identifier, thumbnail in plan.resources.items():
        with default_storage.open(thumbnail.file.name, "rb") as source:
            builder.add_resource(identifier, source)
    for ingredient in plan.ingredients:
        with default_storage.open(ingredient.key(**how), "rb") as source:  # streamed: a parent can be a 4K file
            if ingredient.is_archive:
                builder.add_ingredient_from_archive(source)
            else:
                builder.add_ingredient(ingredient.definition, ingredient.mime_type, source)
    with signing.signer_from(plan.credentials) as signer, default_storage.open(plan.asset.file.name, "rb") as original:
        builder.sign(signer, plan.asset.mime_type, original, signed)


def _made(plan: _Plan) -> Rendition | None:
    return Rendition.objects.filter(asset=plan.asset, spec=plan.spec).first()


def _rendition_for(plan: _Plan, *, user=None, wait: bool = False) -> Rendition:
    """The plan's copy: the stored one, else signed now under the (asset, spec) lock. A request that
    finds another signing it waits SIGNING_WAIT_SECONDS for its copy (`wait`: as long as the lock
    can last, for an export already streaming), then 503 signing_in_progress. A signing draws one
    from `user`'s signing allowance (429 past it)."""
    existing = _made(plan)
    if existing is not None:
        return existing
    lock = f"c2pa-signing:{plan.asset.pk}:{plan.spec}"
    deadline = time.monotonic() + (SIGNING_LOCK_SECONDS if wait else SIGNING_WAIT_SECONDS)
    while not cache.add(lock, 1, SIGNING_LOCK_SECONDS):
        if time.monotonic() >= deadline:
            raise SigningInProgress(
                f"Content Credentials for asset {plan.asset.pk} are being signed by another request; try again in a few seconds.",
                retry_after=SIGNING_WAIT_SECONDS,
            )
        time.sleep(SIGNING_POLL_SECONDS)
        existing = _made(plan)
        if existing is not None:
            return existing
    try:
        existing = _made(plan)  # the holder before us may have finished between our look and our lock
        if existing is not None:
            return existing
        signing_allowance_check(user)
        return _signed_rendition(plan, user=user, wait=wait)
    finally:
        cache.delete(lock)


def _signed_rendition(plan: _Plan, **how) -> Rendition:
    asset = plan.asset
    key = rendition_key(asset, plan.spec, _extension(asset))
    with tempfile.TemporaryFile() as signed:  # on disk, not in memory: a 4K PNG is tens of MiB
        try:
            _sign(plan, signed, **how)
        except (c2pa.C2paError, OSError) as exc:  # OSError: a file of the asset or an ingredient is missing
            raise CredentialsUnavailable(f"Content Credentials could not be signed: {exc}", code="credentials_unavailable") from exc
        size = signed.seek(0, io.SEEK_END)
        signed.seek(0)
        file_write(key, signed)
    logger.info("signed Content Credentials for asset %s (%s)", asset.pk, plan.spec)
    rendition, created = rendition_save(asset, plan.spec, key, mime_type=asset.mime_type, width=asset.width, height=asset.height, size_bytes=size)
    if not created:  # another worker stored this spec first; theirs says the same
        return rendition
    stale = Rendition.objects.filter(asset=asset, spec__startswith=SPEC_PREFIX).exclude(spec=plan.spec)
    stale_keys = list(stale.values_list("file", flat=True))
    stale.delete()
    transaction.on_commit(lambda: [file_delete(old) for old in stale_keys])
    return rendition


def credentialed_file(asset: Asset, *, user=None, wait: bool = False) -> Rendition:
    """The asset's copy carrying Content Credentials, made now when its history changed since the
    last one (and its parents' first). Its `file` is the storage key to serve or zip. Each signing
    it does draws on `user`'s signing allowance (None: none drawn, e.g. an export); `wait`: wait for
    another request signing the same copy rather than 503 (see _rendition_for). An asset whose
    rights have ended is never signed (409 rights_expired: apps.rights.services.use_check)."""
    use_check(asset, use="sign")
    try:
        plan = _plan(asset, memo={}, credentials=signing.signing_credentials())
    except ImproperlyConfigured as exc:
        raise CredentialsUnavailable(str(exc), code="credentials_unavailable") from exc
    except OSError as exc:  # the stored original is missing
        raise CredentialsUnavailable(f"Content Credentials could not be made: {exc}", code="credentials_unavailable") from exc
    return _rendition_for(plan, user=user, wait=wait)


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


def sign_ahead(asset_id) -> Rendition | None:
    """The approved asset's signed copy, made now on a worker so no export or download waits for it
    (the `assets.sign_ahead` task). Another signing of the same copy is waited for, not repeated;
    without a signer, or without the asset, nothing is made and the log says why."""
    asset = Asset.objects.filter(pk=asset_id).first()
    if asset is None:
        return None
    try:
        return credentialed_file(asset, wait=True)
    except CredentialsUnavailable as exc:
        logger.warning("Content Credentials not signed ahead for asset %s: %s", asset_id, exc.message)
        return None


def credentials_spec(asset: Asset) -> str:
    """The spec of the asset's credentialed copy as its history stands now (no signing): a file
    derived from the asset names it, so the derived file is remade when the history changes."""
    try:
        return _plan(asset, memo={}, credentials=signing.signing_credentials()).spec
    except ImproperlyConfigured as exc:
        raise CredentialsUnavailable(str(exc), code="credentials_unavailable") from exc
    except OSError as exc:
        raise CredentialsUnavailable(f"Content Credentials could not be made: {exc}", code="credentials_unavailable") from exc


def derived_sign(asset: Asset, data: bytes, mime_type: str, *, title: str, actions: list[dict], relation: str, user=None) -> bytes:
    """`data` (a file made from the asset's pixels: a crop, a resize) with Content Credentials of
    its own: the asset's credentialed copy as its parent ingredient (made first if needed, so the
    whole history nests), named with the lineage edge's `relation` as an asset's parents are,
    `c2pa.opened` on it, then `actions`. No thumbnail: a placement's bytes are counted against a
    channel's limit."""
    parent = credentialed_file(asset, user=user, wait=True)
    definition = {
        "claim_generator_info": [CLAIM_GENERATOR],
        "title": title,
        "format": mime_type,
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.opened", "parameters": {"ingredientIds": ["parent"]}}, *actions,
        ]}}],
    }
    try:
        builder = c2pa.Builder(definition, context=signing.building_context())
        with default_storage.open(parent.file.name, "rb") as source:
            builder.add_ingredient(
                {"title": f"{asset.pk}.{_extension(asset)}", "relationship": "parentOf", "label": "parent",
                 "description": f"Asset {asset.pk}",
                 "metadata": {PLATFORM_ASSERTION: {"asset": str(asset.pk), "relation": relation}}},
                asset.mime_type, source,
            )
        signed = io.BytesIO()
        with signing.signer_from(signing.signing_credentials()) as signer:
            builder.sign(signer, mime_type, io.BytesIO(data), signed)
    except (c2pa.C2paError, OSError, ImproperlyConfigured) as exc:
        raise CredentialsUnavailable(f"Content Credentials could not be signed: {exc}", code="credentials_unavailable") from exc
    return signed.getvalue()
