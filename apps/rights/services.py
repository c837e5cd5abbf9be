"""Rights: recording them on what comes in, deriving every asset's effective rights down the
lineage, and the one check every delivery of a file asks (`use_check`).

Public entry points other apps call:

    use_check(asset, *, use, territory=None, channel=None) -> EffectiveRights | None
        Before delivering an asset's file (download, export, signing, a placement). Raises
        RightsExpired (409 `rights_expired`, naming the reference, its holder and end date) when the
        window has ended and no override covers today, RightsNotStarted (409 `rights_not_started`)
        before it starts, RightsRestricted (409 `rights_territory` / `rights_channel`) when a
        territory or channel is asked for that the rights do not allow.
    use_refusals(assets, *, territory=None, channel=None) -> {asset id: refusal}
        The same rule for many assets at once (exports leave those out), in a fixed number of queries.
"""

from __future__ import annotations

import io
import json
import logging
import mimetypes
import uuid
from collections import defaultdict
from datetime import date, timedelta

import pycountry
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from apps.assets.files import file_delete, file_write
from apps.assets.models import Asset, AssetLink, Origin
from apps.audit.services import audit_record
from apps.core.exceptions import Conflict, PayloadTooLarge, ValidationFailed
from apps.generations.models import GenerationReference
from apps.rights.models import (
    CHANNEL_MAX_CHARS,
    HOLDER_MAX_CHARS,
    LICENCE_MAX_CHARS,
    NOTES_MAX_CHARS,
    REASON_MAX_CHARS,
    EffectiveRights,
    ProjectRightsPolicy,
    Right,
    RightKind,
)
from apps.rights.signals import rights_expiring

logger = logging.getLogger(__name__)

REFRESH_CHUNK = 500  # assets per recompute transaction (and per IN list: SQLite's variable limit)
WARN_DAYS = (30, 7)  # the digest warns this many days before a window ends
WORLDWIDE = "worldwide"


# --- refusals


class RightsRefused(Conflict):
    pass


class RightsExpired(RightsRefused):
    pass


class RightsNotStarted(RightsRefused):
    pass


class RightsRestricted(RightsRefused):
    pass


# --- validating what a person typed


def _country(code: str) -> str:
    code = code.strip().upper()
    if len(code) != 2 or pycountry.countries.get(alpha_2=code) is None:
        raise ValidationFailed(
            f"Territories are ISO 3166 alpha-2 country codes (DE, AT, CH …) or \"worldwide\"; {code!r} is not one.",
            field="territories", details={"value": code},
        )
    return code


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (piece.strip() for piece in value.replace(";", ",").split(",")) if part]
    return [str(part).strip() for part in value if str(part).strip()]


def territories_clean(value) -> list[str]:
    """[] for worldwide; else sorted distinct country codes."""
    codes = _as_list(value)
    if not codes or [code.lower() for code in codes] == [WORLDWIDE]:
        return []
    if WORLDWIDE in [code.lower() for code in codes]:
        raise ValidationFailed("Territories are either \"worldwide\" or a list of country codes, not both.", field="territories")
    return sorted({_country(code) for code in codes})


def channels_clean(value) -> list[str]:
    """[] for every channel; else sorted distinct channel keys (lower-case letters, digits, - and _)."""
    channels = [channel.lower() for channel in _as_list(value)]
    if not channels or channels == ["all"]:
        return []
    for channel in channels:
        if len(channel) > CHANNEL_MAX_CHARS or not channel.replace("-", "").replace("_", "").isalnum() or not channel.isascii():
            raise ValidationFailed(
                f"A channel is a placement channel key of at most {CHANNEL_MAX_CHARS} lower-case letters, digits, - or _ "
                f"(e.g. instagram, web-banner), or \"all\"; {channel[:50]!r} is not one.",
                field="channels", details={"limit": CHANNEL_MAX_CHARS, "value": channel[:50]},
            )
    return sorted(set(channels))


RIGHT_FIELDS = ("holder", "kind", "licence", "territories", "channels", "starts_on", "ends_on", "notes")


def _text(fields: dict, name: str, limit: int, *, required: bool = False) -> None:
    if name not in fields:
        return
    value = " ".join(str(fields[name] or "").split()) if name == "holder" else str(fields[name] or "").strip()
    if required and not value:
        raise ValidationFailed(f"{name.capitalize()} is required: who grants the right.", field=name)
    if len(value) > limit:
        raise ValidationFailed(f"{name.capitalize()} is at most {limit} characters; this has {len(value)}.",
                               field=name, details={"limit": limit, "value": len(value)})
    fields[name] = value


def _date(fields: dict, name: str) -> None:
    value = fields.get(name)
    if value in (None, ""):
        fields[name] = None
    elif isinstance(value, str):
        try:
            fields[name] = date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(f"{name} is a date as YYYY-MM-DD; {value[:30]!r} is not.", field=name, details={"value": value[:30]}) from None


def right_fields_clean(data: dict, *, current: Right | None = None) -> dict:
    """The rules for a right's fields, the same for REST, pages and the admin. `current`: the right
    being changed (fields not given keep its values for the cross-field rules)."""
    fields = {name: data[name] for name in RIGHT_FIELDS if name in data}
    if current is None:
        missing = [name for name in ("holder", "kind") if not str(fields.get(name) or "").strip()]
        if missing:
            raise ValidationFailed(f"A right needs {' and '.join(missing)}.", field=missing[0], details={"missing": missing})
    _text(fields, "holder", HOLDER_MAX_CHARS, required=True)
    _text(fields, "licence", LICENCE_MAX_CHARS)
    _text(fields, "notes", NOTES_MAX_CHARS)
    if "kind" in fields and fields["kind"] not in RightKind.values:
        raise ValidationFailed(f"Kind is one of {', '.join(RightKind.values)}; {str(fields['kind'])[:30]!r} is not.",
                               field="kind", details={"allowed": list(RightKind.values)})
    if "territories" in fields:
        fields["territories"] = territories_clean(fields["territories"])
    if "channels" in fields:
        fields["channels"] = channels_clean(fields["channels"])
    for name in ("starts_on", "ends_on"):
        if name in fields:
            _date(fields, name)
    starts = fields.get("starts_on", current.starts_on if current else None)
    ends = fields.get("ends_on", current.ends_on if current else None)
    if starts and ends and starts > ends:
        raise ValidationFailed(f"The right starts ({starts}) after it ends ({ends}).", field="ends_on",
                               details={"starts_on": str(starts), "ends_on": str(ends)})
    return fields


def _document_kind(data: bytes) -> tuple[str, str]:
    """(mime type, extension) of a PDF or an image; refuses anything else."""
    if data[:5] == b"%PDF-":
        return "application/pdf", "pdf"
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
    except (UnidentifiedImageError, OSError):
        fmt = None
    if fmt in ("PNG", "JPEG", "WEBP"):
        return Image.MIME[fmt], {"JPEG": "jpg"}.get(fmt, fmt.lower())
    raise ValidationFailed("The document is a PDF or an image (PNG, JPEG, WebP); this file is neither.", field="document")


def _document_store(right: Right, data: bytes, name: str) -> str:
    limit = settings.RIGHTS_DOCUMENT_MAX_BYTES
    if len(data) > limit:
        raise PayloadTooLarge(f"The document is at most {limit // (1024 * 1024)} MiB; this one is {len(data) / (1024 * 1024):.1f} MiB.",
                              code="too_large", field="document", details={"limit": limit, "value": len(data)})
    mime_type, extension = _document_kind(data)
    key = f"projects/{right.project_id}/rights/{right.pk}/{uuid.uuid4().hex}.{extension}"
    file_write(key, data)
    right.document, right.document_mime_type = key, mime_type
    right.document_name = (name or f"document.{extension}")[:200]
    return key


# --- recording rights


def _audit_view(right: Right) -> dict:
    return {
        "holder": right.holder, "kind": right.kind, "territories": right.territories, "channels": right.channels,
        "starts_on": right.starts_on.isoformat() if right.starts_on else None,
        "ends_on": right.ends_on.isoformat() if right.ends_on else None,
        "licence": right.licence[:200], "document": right.document_name or None,
    }


def _target(right: Right) -> str:
    if right.reference_image_id:
        return f"reference image {right.reference_image_id} of {right.reference_image.entry.name}"
    return f"asset {right.asset_id}"


def _refresh_later(right: Right) -> None:
    """Recompute every asset descending from the right's source, on the queue, after commit."""
    from apps.rights import tasks

    kind, pk = ("reference_image", right.reference_image_id) if right.reference_image_id else ("asset", right.asset_id)
    transaction.on_commit(lambda: tasks.refresh_descendants.delay(kind, str(pk)))


def source_check(*, asset: Asset | None = None) -> None:
    """Rights are recorded on what comes in: reference images, and assets that are uploads."""
    if asset is not None and asset.origin != Origin.UPLOAD:
        raise ValidationFailed(
            "Rights are recorded on reference images and uploads; a generated asset inherits them from what it was made from.",
            field="asset", code="not_an_upload",
        )


def right_create(*, project, user, fields: dict, reference_image=None, asset: Asset | None = None,
                 document: bytes | None = None, document_name: str = "") -> Right:
    """Record a right on a reference image or an upload (fields already through right_fields_clean)."""
    source_check(asset=asset)
    right = Right(project=project, reference_image=reference_image, asset=asset, created_by=user if user and user.is_authenticated else None, **fields)
    key = _document_store(right, document, document_name) if document is not None else None
    try:
        with transaction.atomic():
            right.save()
            audit_record(project=project, actor=user, action="rights.created", target=_target(right), after=_audit_view(right))
            _refresh_later(right)
    except Exception:
        if key:
            file_delete(key)
        raise
    return right


def right_update(*, right: Right, user, fields: dict, document: bytes | None = None, document_name: str = "") -> Right:
    before = _audit_view(right)
    old_document = right.document.name if document is not None else None
    for name, value in fields.items():
        setattr(right, name, value)
    key = _document_store(right, document, document_name) if document is not None else None
    try:
        with transaction.atomic():
            right.save()
            audit_record(project=right.project, actor=user, action="rights.changed", target=_target(right), before=before, after=_audit_view(right))
            _refresh_later(right)
    except Exception:
        if key:
            file_delete(key)
        raise
    if old_document:
        transaction.on_commit(lambda: file_delete(old_document))
    return right


def right_delete(*, right: Right, user) -> None:
    document = right.document.name
    with transaction.atomic():
        audit_record(project=right.project, actor=user, action="rights.deleted", target=_target(right), before=_audit_view(right))
        _refresh_later(right)
        right.delete()
    if document:
        transaction.on_commit(lambda: file_delete(document))


def policy_for(project) -> ProjectRightsPolicy:
    """The project's rule (unsaved defaults when none was ever set: reading writes nothing)."""
    return ProjectRightsPolicy.objects.filter(project=project).first() or ProjectRightsPolicy(project=project)


def policy_update(*, project, user, require_on_references: bool) -> ProjectRightsPolicy:
    with transaction.atomic():
        ProjectRightsPolicy.objects.get_or_create(project=project)
        policy = ProjectRightsPolicy.objects.select_for_update().get(project=project)
        before = {"require_on_references": policy.require_on_references}
        policy.require_on_references = require_on_references
        policy.save(update_fields=["require_on_references", "updated_at"])
        audit_record(project=project, actor=user, action="rights.policy_changed", target="rights policy",
                     before=before, after={"require_on_references": require_on_references})
    return policy


def required_fields_check(*, project, data: dict) -> dict | None:
    """For a new reference image: the right that comes with it, cleaned, or None when none was
    given. A project that requires rights refuses an image without one, naming the fields."""
    given = {name: data.get(f"rights_{name}") for name in RIGHT_FIELDS if data.get(f"rights_{name}") not in (None, "", [])}
    if not given:
        if policy_for(project).require_on_references:
            raise ValidationFailed(
                "This project requires rights on every new reference image: send rights_holder, rights_kind "
                "(and rights_territories, rights_channels, rights_starts_on, rights_ends_on, rights_licence as they apply).",
                field="rights_holder", code="rights_required", details={"missing": ["rights_holder", "rights_kind"]},
            )
        return None
    try:
        return right_fields_clean(given)
    except ValidationFailed as refusal:
        refusal.field = f"rights_{refusal.field}" if refusal.field else None
        if "missing" in refusal.details:
            refusal.details["missing"] = [f"rights_{name}" for name in refusal.details["missing"]]
        raise


# --- effective rights, computed down the lineage


def _ids_param(ids) -> list:
    return [Asset._meta.pk.get_db_prep_value(pk, connection) for pk in ids]


def _in(ids) -> str:
    return ", ".join(["%s"] * len(ids))


def _ancestor_pairs(asset_ids: list) -> dict:
    """{asset id: its ancestors at any depth, through every lineage relation}, one recursive query."""
    links = connection.ops.quote_name(AssetLink._meta.db_table)
    sql = f"""
        WITH RECURSIVE anc(start, id) AS (
          SELECT child_id, parent_id FROM {links} WHERE child_id IN ({_in(asset_ids)})
          UNION
          SELECT a.start, l.parent_id FROM {links} l JOIN anc a ON l.child_id = a.id
        )
        SELECT start, id FROM anc"""
    found = defaultdict(set)
    to_python = Asset._meta.pk.to_python
    with connection.cursor() as cursor:
        cursor.execute(sql, _ids_param(asset_ids))
        for start, ancestor in cursor.fetchall():
            found[to_python(start)].add(to_python(ancestor))
    return found


def descendant_ids(asset_ids) -> set:
    """Every asset made from any of `asset_ids`, at any depth, in one recursive query."""
    asset_ids = list(asset_ids)
    if not asset_ids:
        return set()
    links = connection.ops.quote_name(AssetLink._meta.db_table)
    found = set()
    for start in range(0, len(asset_ids), REFRESH_CHUNK):
        chunk = asset_ids[start:start + REFRESH_CHUNK]
        sql = f"""
            WITH RECURSIVE d(id) AS (
              SELECT child_id FROM {links} WHERE parent_id IN ({_in(chunk)})
              UNION
              SELECT l.child_id FROM {links} l JOIN d ON l.parent_id = d.id
            )
            SELECT id FROM d"""
        with connection.cursor() as cursor:
            cursor.execute(sql, _ids_param(chunk))
            found |= {Asset._meta.pk.to_python(row[0]) for row in cursor.fetchall()}
    return found


def _source_view(right: Right) -> dict:
    if right.reference_image_id:
        source = {"type": "reference_image", "id": str(right.reference_image_id), "entry": str(right.reference_image.entry_id),
                  "name": right.reference_image.entry.name}
    else:
        source = {"type": "upload", "id": str(right.asset_id), "name": right.asset.display_title}
    return {
        "right": str(right.pk), "holder": right.holder, "kind": right.kind, "source": source,
        "starts_on": right.starts_on.isoformat() if right.starts_on else None,
        "ends_on": right.ends_on.isoformat() if right.ends_on else None,
        "territories": right.territories or None, "channels": right.channels or None,
    }


def _combine(rights: list[Right]) -> dict:
    """Latest start, earliest end (and the right that sets it), intersected territories and channels."""
    starts = [r.starts_on for r in rights if r.starts_on]
    ending = [r for r in rights if r.ends_on]
    limiting = min(ending, key=lambda r: (r.ends_on, str(r.pk))) if ending else None

    def meet(lists):
        lists = [set(values) for values in lists if values]
        return sorted(set.intersection(*lists)) if lists else None

    return {
        "starts_on": max(starts) if starts else None,
        "ends_on": limiting.ends_on if limiting else None,
        "territories": meet(r.territories for r in rights),
        "channels": meet(r.channels for r in rights),
        "sources": [_source_view(r) for r in sorted(rights, key=lambda r: (r.created_at, str(r.pk)))],
        "limiting": _source_view(limiting) if limiting else None,
    }


COMPARED = ("starts_on", "ends_on", "territories", "channels", "limiting")


def effective_rights_refresh(asset_ids) -> list[EffectiveRights]:
    """Recompute the effective rights of `asset_ids` from every right of everything each descends
    from. Per chunk of REFRESH_CHUNK assets, a fixed number of queries whatever the depth of the
    lineage. The assets' rows are locked first (PostgreSQL), so two recomputes of one asset run one
    after the other and the later one reads the rights the earlier could not see. Returns the rows
    whose rights changed (a webhook `asset.rights_changed` is recorded for each)."""
    asset_ids = list(dict.fromkeys(asset_ids))
    changed = []
    for start in range(0, len(asset_ids), REFRESH_CHUNK):
        changed += _refresh_chunk(asset_ids[start:start + REFRESH_CHUNK])
    return changed


@transaction.atomic
def _refresh_chunk(chunk: list) -> list[EffectiveRights]:
    locked = list(Asset.objects.select_for_update().filter(pk__in=chunk).order_by("pk").values_list("pk", "project_id"))
    if not locked:
        return []
    project_of = dict(locked)
    targets = list(project_of)
    ancestors = _ancestor_pairs(targets)
    involved = set(targets).union(*ancestors.values()) if ancestors else set(targets)
    generation_of = dict(Asset.objects.filter(pk__in=involved, generation__isnull=False).values_list("pk", "generation_id"))
    references_of = defaultdict(set)
    for generation_id, reference_id in GenerationReference.objects.filter(generation_id__in=set(generation_of.values())).values_list(
        "generation_id", "reference_image_id"
    ):
        references_of[generation_id].add(reference_id)
    all_references = set().union(*references_of.values()) if references_of else set()
    rights = list(
        Right.objects.filter(Q(asset_id__in=involved) | Q(reference_image_id__in=all_references))
        .select_related("reference_image__entry", "asset__generation")
    )
    on_asset, on_reference = defaultdict(list), defaultdict(list)
    for right in rights:
        (on_asset[right.asset_id] if right.asset_id else on_reference[right.reference_image_id]).append(right)
    existing = {row.asset_id: row for row in EffectiveRights.objects.filter(asset_id__in=targets)}
    now = timezone.now()
    new, updated, changed = [], [], []  # updated: (row, its new values) for rows whose values changed
    for asset_id in targets:
        lineage = {asset_id} | ancestors.get(asset_id, set())
        references = set().union(*(references_of[generation_of[pk]] for pk in lineage if pk in generation_of)) if generation_of else set()
        applying = {r.pk: r for pk in lineage for r in on_asset.get(pk, ())}
        applying |= {r.pk: r for ref in references for r in on_reference.get(ref, ())}
        values = _combine(list(applying.values()))
        row = existing.get(asset_id)
        if row is None:
            row = EffectiveRights(asset_id=asset_id, computed_at=now, **values)
            new.append(row)
            if values["sources"]:
                changed.append(row)
            continue
        was = {name: getattr(row, name) for name in (*COMPARED, "sources")}
        for name, value in values.items():
            setattr(row, name, value)
        if was != {name: getattr(row, name) for name in (*COMPARED, "sources")}:
            updated.append((row, values))
            if was != {name: getattr(row, name) for name in COMPARED}:
                changed.append(row)
    EffectiveRights.objects.bulk_create(new)
    # One UPDATE per distinct outcome (all descendants of one release usually share theirs), not
    # Django's bulk_update, whose CASE per row and field costs seconds for a few hundred rows.
    groups = defaultdict(list)
    for row, values in updated:
        groups[json.dumps(values, sort_keys=True, cls=DjangoJSONEncoder)].append(row)
    for rows in groups.values():
        first = rows[0]
        EffectiveRights.objects.filter(asset_id__in=[row.asset_id for row in rows]).update(
            computed_at=now, **{name: getattr(first, name) for name in ("starts_on", "ends_on", "territories", "channels", "sources", "limiting")}
        )
    _announce(changed, project_of, reason="changed")
    return changed


def _announce(rows: list[EffectiveRights], project_of: dict, *, reason: str) -> None:
    """`asset.rights_changed` for each row, only for projects with an endpoint listening (one query)."""
    from apps.webhooks.models import WebhookEndpoint
    from apps.webhooks.services import event_emit

    if not rows:
        return
    projects = {project_of[row.asset_id] for row in rows}
    listening = {
        endpoint.project for endpoint in WebhookEndpoint.objects.filter(project_id__in=projects, is_active=True).select_related("project")
        if "asset.rights_changed" in endpoint.events
    }
    by_id = {project.pk: project for project in listening}
    for row in rows:
        project = by_id.get(project_of[row.asset_id])
        if project is not None:
            event_emit(project=project, event="asset.rights_changed", data=rights_event_data(row, reason=reason))


def rights_event_data(row: EffectiveRights, *, reason: str, today: date | None = None) -> dict:
    today = today or timezone.localdate()
    return {
        "asset": str(row.asset_id), "reason": reason,
        "starts_on": _iso(row.starts_on), "ends_on": _iso(row.ends_on),
        "territories": row.territories, "channels": row.channels,
        "expired": is_expired(row, today=today), "override_until": _iso(row.override_until),
        "limiting": row.limiting,
    }


def _iso(value):
    return value.isoformat() if value else None


def affected_assets(*, reference_image_ids=(), asset_ids=()) -> set:
    """Every asset whose rights come (partly) from these reference images or uploads."""
    made_with = set(Asset.objects.filter(
        generation__in=GenerationReference.objects.filter(reference_image_id__in=list(reference_image_ids)).values("generation")
    ).values_list("pk", flat=True)) if reference_image_ids else set()
    starts = made_with | set(asset_ids)
    return starts | descendant_ids(starts)


def descendants_refresh(*, kind: str, pk) -> int:
    """The queue's work after a right changed: recompute everything descending from its source."""
    ids = affected_assets(reference_image_ids=[pk]) if kind == "reference_image" else affected_assets(asset_ids=[pk])
    effective_rights_refresh(sorted(ids, key=str))
    return len(ids)


def effective_rights_of(asset: Asset) -> EffectiveRights:
    """The stored row, computed now if the asset has none yet (stored before its receiver ran)."""
    row = EffectiveRights.objects.filter(asset_id=asset.pk).first()
    if row is None:
        effective_rights_refresh([asset.pk])
        row = EffectiveRights.objects.get(asset_id=asset.pk)
    return row


# --- the rule every delivery asks


def override_active(row: EffectiveRights, *, today: date) -> bool:
    return bool(row.override_until and row.override_until >= today)


def is_expired(row: EffectiveRights | None, *, today: date | None = None) -> bool:
    """The window has ended and no override covers today."""
    today = today or timezone.localdate()
    return bool(row and row.ends_on and row.ends_on < today and not override_active(row, today=today))


def _limit_words(limiting: dict | None) -> tuple[str, dict]:
    if not limiting:
        return "", {}
    source = limiting["source"]
    what = f"the reference image of “{source['name']}”" if source["type"] == "reference_image" else f"the upload “{source['name']}”"
    return (f"{RightKind(limiting['kind']).label.lower()} from {limiting['holder']} for {what}",
            {"right": limiting["right"], "holder": limiting["holder"], "reference": source, "ends_on": limiting["ends_on"]})


def refusal_for(row: EffectiveRights | None, *, territory: str | None = None, channel: str | None = None,
                today: date | None = None) -> RightsRefused | None:
    """Why this asset may not be delivered (there, on that channel) today, or None."""
    if row is None:
        return None
    today = today or timezone.localdate()
    if is_expired(row, today=today):
        words, details = _limit_words(row.limiting)
        return RightsExpired(
            f"The rights to use this asset ended on {row.ends_on.isoformat()}: the {words} ended then. "
            "Extend or replace that right, or ask an owner to record an override.",
            code="rights_expired", details={**details, "asset": str(row.asset_id)},
        )
    if row.starts_on and row.starts_on > today:
        return RightsNotStarted(
            f"The rights to use this asset start on {row.starts_on.isoformat()}.",
            code="rights_not_started", details={"asset": str(row.asset_id), "starts_on": row.starts_on.isoformat()},
        )
    if territory and row.territories is not None and territory.upper() not in row.territories:
        return RightsRestricted(
            f"The rights to use this asset cover {', '.join(row.territories) or 'no territory'}, not {territory.upper()}.",
            code="rights_territory", details={"asset": str(row.asset_id), "territories": row.territories, "value": territory.upper()},
        )
    if channel and row.channels is not None and channel.lower() not in row.channels:
        return RightsRestricted(
            f"The rights to use this asset cover the channels {', '.join(row.channels) or 'none'}, not {channel.lower()}.",
            code="rights_channel", details={"asset": str(row.asset_id), "channels": row.channels, "value": channel.lower()},
        )
    return None


USES = ("download", "export", "sign", "placement", "share")


def use_check(asset: Asset, *, use: str, territory: str | None = None, channel: str | None = None) -> EffectiveRights | None:
    """Call before delivering `asset`'s file for `use` (one of USES). Raises a RightsRefused (409,
    codes rights_expired / rights_not_started / rights_territory / rights_channel); returns the
    asset's effective rights when it may go."""
    if use not in USES:
        raise ValueError(f"use is one of {USES}, not {use!r}")
    row = effective_rights_of(asset)
    refusal = refusal_for(row, territory=territory, channel=channel)
    if refusal is not None:
        refusal.details["use"] = use
        raise refusal
    return row


def use_refusals(assets, *, territory: str | None = None, channel: str | None = None) -> dict:
    """{asset id: RightsRefused} for the assets that may not go; one query, plus one recompute for
    those without a stored row."""
    ids = [asset.pk for asset in assets]
    rows = {row.asset_id: row for row in EffectiveRights.objects.filter(asset_id__in=ids)}
    missing = [pk for pk in ids if pk not in rows]
    if missing:
        effective_rights_refresh(missing)
        rows |= {row.asset_id: row for row in EffectiveRights.objects.filter(asset_id__in=missing)}
    today = timezone.localdate()
    refusals = {}
    for pk in ids:
        refusal = refusal_for(rows.get(pk), territory=territory, channel=channel, today=today)
        if refusal is not None:
            refusals[pk] = refusal
    return refusals


# --- overrides


def override_set(*, asset: Asset, user, reason: str, until: date) -> EffectiveRights:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("An override needs a reason (who agreed, where it is written down).", field="reason")
    if len(reason) > REASON_MAX_CHARS:
        raise ValidationFailed(f"The reason is at most {REASON_MAX_CHARS} characters; this has {len(reason)}.",
                               field="reason", details={"limit": REASON_MAX_CHARS, "value": len(reason)})
    today = timezone.localdate()
    if until < today:
        raise ValidationFailed(f"An override ends today or later; {until.isoformat()} has passed.", field="until",
                               details={"value": until.isoformat(), "today": today.isoformat()})
    limit = today + timedelta(days=settings.RIGHTS_OVERRIDE_MAX_DAYS)
    if until > limit:
        raise ValidationFailed(f"An override lasts at most {settings.RIGHTS_OVERRIDE_MAX_DAYS} days (until {limit.isoformat()}); "
                               f"{until.isoformat()} is later.", field="until", details={"limit": limit.isoformat(), "value": until.isoformat()})
    effective_rights_of(asset)
    with transaction.atomic():
        row = EffectiveRights.objects.select_for_update().get(asset_id=asset.pk)
        before = {"reason": row.override_reason or None, "until": _iso(row.override_until)}
        row.override_reason, row.override_until, row.override_by, row.override_at = reason, until, user, timezone.now()
        row.save(update_fields=["override_reason", "override_until", "override_by", "override_at"])
        audit_record(project=asset.project, actor=user, action="rights.override_set", target=f"asset {asset.pk}",
                     before=before, after={"reason": reason, "until": until.isoformat()})
        _announce([row], {asset.pk: asset.project_id}, reason="override")
    return row


def override_clear(*, asset: Asset, user) -> EffectiveRights:
    row = effective_rights_of(asset)
    with transaction.atomic():
        row = EffectiveRights.objects.select_for_update().get(asset_id=asset.pk)
        if not row.override_until:
            return row
        before = {"reason": row.override_reason, "until": _iso(row.override_until)}
        row.override_reason, row.override_until, row.override_by, row.override_at = "", None, None, None
        row.save(update_fields=["override_reason", "override_until", "override_by", "override_at"])
        audit_record(project=asset.project, actor=user, action="rights.override_cleared", target=f"asset {asset.pk}", before=before,
                     after={"reason": None, "until": None})
        _announce([row], {asset.pk: asset.project_id}, reason="override")
    return row


# --- every night


def rights_nightly(*, today: date | None = None) -> dict:
    """Recompute every asset of every project that records rights, announce the windows that ended
    since the last run (`asset.rights_changed`, reason "expired"), and send each project's owners a
    digest of what ends within 30 and within 7 days. Safe to run twice: each end is announced and
    each warning sent once."""
    today = today or timezone.localdate()
    projects = list(Right.objects.values_list("project_id", flat=True).distinct())
    ids = list(Asset.objects.filter(Q(project_id__in=projects) | Q(effective_rights__isnull=False)).order_by("pk").values_list("pk", flat=True))
    effective_rights_refresh(ids)
    expired = _announce_expired(today)
    warned = _digests(today)
    logger.info("rights nightly: %d assets recomputed, %d newly expired, %d warned", len(ids), expired, warned)
    return {"recomputed": len(ids), "expired": expired, "warned": warned}


def _announce_expired(today: date) -> int:
    rows = list(
        EffectiveRights.objects.filter(ends_on__lt=today).exclude(override_until__gte=today)
        .filter(Q(expiry_announced_for__isnull=True) | ~Q(expiry_announced_for=F("ends_on")))
        .select_related("asset")
    )
    if not rows:
        return 0
    with transaction.atomic():
        for row in rows:
            row.expiry_announced_for = row.ends_on
        EffectiveRights.objects.bulk_update(rows, ["expiry_announced_for"])
        _announce(rows, {row.asset_id: row.asset.project_id for row in rows}, reason="expired")
    return len(rows)


def _digests(today: date) -> int:
    """One warning per project to its owners (`rights_expiring`: the team's notifications, by each
    owner's settings), listing the assets that newly came within 30 or 7 days of their end."""
    horizon = today + timedelta(days=max(WARN_DAYS))
    rows = list(EffectiveRights.objects.filter(ends_on__gte=today, ends_on__lte=horizon).select_related("asset__project", "asset__generation"))
    due = []
    for row in rows:
        days_left = (row.ends_on - today).days
        threshold = min(days for days in WARN_DAYS if days_left <= days)
        if row.warned_for == row.ends_on and row.warned_days is not None and row.warned_days <= threshold:
            continue
        row.warned_for, row.warned_days = row.ends_on, threshold
        due.append(row)
    if not due:
        return 0
    by_project = defaultdict(list)
    for row in due:
        by_project[row.asset.project].append(row)
    with transaction.atomic():  # the warning is recorded with the notifications it makes, or neither
        EffectiveRights.objects.bulk_update(due, ["warned_for", "warned_days"])
        for project, project_rows in by_project.items():
            lines = [
                f"{row.asset.display_title}: ends {row.ends_on.isoformat()}, in {(row.ends_on - today).days} days"
                + (f", {_limit_words(row.limiting)[0]}" if row.limiting else "")
                for row in sorted(project_rows, key=lambda r: (r.ends_on, str(r.asset_id)))
            ]
            rights_expiring.send(sender=EffectiveRights, project=project, lines=lines)
    return len(due)


def document_mime_type(right: Right) -> str:
    return right.document_mime_type or mimetypes.guess_type(right.document.name)[0] or "application/octet-stream"


def use_scope(*, territory: str = "", channel: str = "") -> dict:
    """An export's `territory=` and `channel=`, checked: {"territory": "DE" or None, "channel": ... or None}."""
    territory, channel = (territory or "").strip(), (channel or "").strip()
    return {
        "territory": _country(territory) if territory else None,
        "channel": channels_clean([channel])[0] if channel and channel.lower() != "all" else None,
    }


def reference_image_add_with_rights(*, entry, data: bytes, user, given: dict):
    """A new reference image and the right that came with it (`rights_holder`, `rights_kind`, …
    in `given`), together. A project that requires rights refuses the image without one, naming
    the fields, before anything is stored."""
    from apps.library.services import reference_image_add

    fields = required_fields_check(project=entry.project, data=given)
    with transaction.atomic():
        image = reference_image_add(entry=entry, data=data)
        if fields:
            right_create(project=entry.project, user=user, fields=fields, reference_image=image)
    return image
