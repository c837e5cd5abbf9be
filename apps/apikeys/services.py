"""Project API keys and personal tokens. Key create/revoke are the functions an audit log hooks."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from rest_framework.authtoken.models import Token

from apps.apikeys.models import ApiKey, TokenPasswordStamp
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import ValidationFailed
from apps.projects import policy
from apps.projects.models import Membership, Project

KEY_PREFIX = "bip_"
LAST_USED_RESOLUTION = timedelta(minutes=1)  # one write a minute per key, not one per request


def key_hash(raw_key: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is enough (no slow hash needed) and lookups stay indexed."""
    return hashlib.sha256(raw_key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, project: Project, created_by, name: str, role: str, expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Make a key and its principal (a user whose only membership is `project` with `role`).
    Returns the key row and the raw key, which is never stored and cannot be shown again.
    Only people make keys: a key minting keys would leave access behind when it is revoked."""
    policy.refuse_key_principal(created_by, "create API keys")
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationFailed(f"expires_at must be in the future; got {expires_at.isoformat()}.", field="expires_at")
    raw_key = KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = raw_key[: len(KEY_PREFIX) + 8]
    principal = get_user_model().objects.create_user(username=f"apikey-{secrets.token_hex(8)}", password=None)
    Membership.objects.create(project=project, user=principal, role=role)
    api_key = ApiKey.objects.create(
        project=project, name=name, role=role, principal=principal, prefix=prefix, key_hash=key_hash(raw_key),
        created_by=created_by, expires_at=expires_at,
    )
    audit_record(
        project=project, actor=created_by, action=AuditAction.API_KEY_CREATED, target=f"{name} ({prefix}…)",
        after={"name": name, "role": role, "expires_at": expires_at.isoformat() if expires_at else None},
    )
    return api_key, raw_key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, revoked_by) -> ApiKey:
    """Revoke at once: the key stops authenticating and its principal loses its membership; keys
    its principal made (before keys were refused that right) go with it."""
    if api_key.revoked_at is None:
        api_key.revoked_at = timezone.now()
        api_key.save(update_fields=["revoked_at"])
        audit_record(
            project=api_key.project, actor=revoked_by, action=AuditAction.API_KEY_REVOKED,
            target=f"{api_key.name} ({api_key.prefix}…)", before={"role": api_key.role, "revoked": False}, after={"revoked": True},
        )
    Membership.objects.filter(user_id=api_key.principal_id).delete()
    get_user_model().objects.filter(pk=api_key.principal_id).update(is_active=False)
    for minted in ApiKey.objects.filter(created_by_id=api_key.principal_id).exclude(pk=api_key.pk):
        api_key_revoke(api_key=minted, revoked_by=revoked_by)
    return api_key


def api_key_refusal(api_key: ApiKey) -> str | None:
    """Why this key may not be used now, or None."""
    if api_key.revoked_at is not None:
        return f"This API key ({api_key.prefix}…) was revoked at {api_key.revoked_at.isoformat()}."
    if not api_key.principal.is_active:
        return f"This API key ({api_key.prefix}…) is deactivated (its principal is inactive)."
    if api_key.expires_at is not None and api_key.expires_at <= timezone.now():
        return f"This API key ({api_key.prefix}…) expired at {api_key.expires_at.isoformat()}."
    return None


def api_key_touch(*, api_key: ApiKey) -> None:
    now = timezone.now()
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_RESOLUTION:
        ApiKey.objects.filter(pk=api_key.pk).update(last_used_at=now)
        api_key.last_used_at = now


@transaction.atomic
def personal_token_issue(*, user) -> Token:
    """The user's token, bound to their current password; one issued under an older password is replaced."""
    token = Token.objects.filter(user=user).select_related("password_stamp").first()
    if token is not None and not personal_token_valid(token=token):
        token.delete()
        token = None
    if token is None:
        token = Token.objects.create(user=user)
        TokenPasswordStamp.objects.create(token=token, password_hash=user.get_session_auth_hash())
    return token


def personal_token_valid(*, token: Token) -> bool:
    """False once the user's password changed after the token was bound. A token made outside the
    token endpoint (admin, scripts) is bound on first use."""
    current = token.user.get_session_auth_hash()
    try:
        stamp = token.password_stamp
    except TokenPasswordStamp.DoesNotExist:
        stamp, _ = TokenPasswordStamp.objects.get_or_create(token=token, defaults={"password_hash": current})
    return constant_time_compare(stamp.password_hash, current)
