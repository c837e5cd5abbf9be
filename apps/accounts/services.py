"""Single sign-on accounts: who may sign in (claims_refusal), which account a provider's person
signs in to (sso_account_for: by issuer and subject, else by the verified email, else a new
account), and the project access that comes with signing in (open invitations to the verified
email; the optional claim-to-role rules). Every sign-in and every refusal is in the audit log."""

from __future__ import annotations

import logging
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from apps.accounts.models import SsoIdentity
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.projects.invitations import invitations_accept_for_email
from apps.projects.models import Membership, Project, Role

logger = logging.getLogger(__name__)


class SsoRefused(Exception):
    """A sign-in the platform refuses, with the sentence the person reads."""

    def __init__(self, message: str, code: str):
        super().__init__(message)
        self.message, self.code = message, code


def email_of(claims: dict) -> str:
    return str(claims.get(settings.OIDC_EMAIL_CLAIM) or "").strip().lower()


def claims_refusal(claims: dict) -> SsoRefused | None:
    """Why these (signature-checked) claims may not sign in, or None."""
    email = email_of(claims)
    if not claims.get("sub"):
        return SsoRefused("The identity provider sent no subject (sub) for this person.", "no_subject")
    if "@" not in email:
        return SsoRefused(f"The identity provider sent no email address (claim {settings.OIDC_EMAIL_CLAIM!r}); ask your IT department to release it.", "no_email")
    if settings.OIDC_REQUIRE_EMAIL_VERIFIED and claims.get("email_verified") is not True:
        return SsoRefused(f"The identity provider has not verified {email}; verify it there, then sign in again.", "email_unverified")
    domain = email.rsplit("@", 1)[1]
    if settings.OIDC_ALLOWED_DOMAINS and domain not in settings.OIDC_ALLOWED_DOMAINS:
        allowed = ", ".join(settings.OIDC_ALLOWED_DOMAINS)
        return SsoRefused(f"Accounts of {domain} may not sign in here. Allowed email domains: {allowed}.", "domain_not_allowed")
    return None


def group_rules() -> list[tuple[str, uuid.UUID, str]]:
    """OIDC_GROUP_ROLES as (claim value, project id, role); malformed entries are logged and skipped."""
    rules = []
    for entry in settings.OIDC_GROUP_ROLES:
        value, _, target = entry.rpartition("=")
        project_id, _, role = target.partition(":")
        try:
            rules.append((value, uuid.UUID(project_id), Role(role)))
        except ValueError:
            logger.error("OIDC_GROUP_ROLES entry %r is not 'claim value=project id:role' (roles: %s); skipped", entry, ", ".join(Role.values))
    return rules


def _claim_values(claims: dict) -> set[str]:
    value = claims.get(settings.OIDC_GROUPS_CLAIM)
    if isinstance(value, str):
        return {value}
    return {str(item) for item in value or []}


def _grant_group_roles(user, claims: dict) -> None:
    """A rule adds a membership with its role; an existing membership keeps its role (owners
    decide those), so a rule never lowers or raises anyone already in the project."""
    values = _claim_values(claims)
    for value, project_id, role in group_rules():
        if value not in values:
            continue
        project = Project.objects.filter(pk=project_id).first()
        if project is None:
            logger.error("OIDC_GROUP_ROLES names project %s, which does not exist", project_id)
            continue
        membership, created = Membership.objects.get_or_create(project=project, user=user, defaults={"role": role})
        if created:
            audit_record(project=project, actor=user, action=AuditAction.MEMBER_ADDED, target=user.get_username(),
                         after={"role": role, "via": f"single sign-on: {settings.OIDC_GROUPS_CLAIM} {value}"})


def _new_username(email: str) -> str:
    users = get_user_model().objects
    username, n = email[:150], 1
    while users.filter(username=username).exists():
        n += 1
        username = f"{email[:140]}-{n}"
    return username


@transaction.atomic
def sso_account_for(*, issuer: str, claims: dict) -> tuple[object, bool]:
    """The account these verified claims sign in to, and whether it was made now. Raises
    SsoRefused when the claims may not sign in, or the email matches several accounts."""
    refusal = claims_refusal(claims)
    if refusal:
        raise refusal
    users = get_user_model().objects
    email, subject = email_of(claims), str(claims["sub"])
    identity = SsoIdentity.objects.select_related("user").filter(issuer=issuer, subject=subject).first()
    created = False
    if identity is not None:
        user = identity.user
    else:
        matches = list(users.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise SsoRefused(f"Several accounts here have the address {email}; an administrator must merge them first.", "ambiguous_email")
        if matches:
            user = matches[0]
        else:
            user = users.create_user(_new_username(email), email=email)  # no password: it signs in through the provider
            created = True
        identity = SsoIdentity(user=user, issuer=issuer, subject=subject)
    if not user.is_active:
        raise SsoRefused("This account is deactivated here; ask an administrator.", "inactive")
    identity.email, identity.last_sign_in_at = email, timezone.now()
    identity.save()
    name = str(claims.get(settings.OIDC_NAME_CLAIM) or "").strip()
    if name:
        first, _, last = name.partition(" ")
        if (user.first_name, user.last_name) != (first[:150], last[:150]):
            user.first_name, user.last_name = first[:150], last[:150]
            user.save(update_fields=["first_name", "last_name"])
    invitations_accept_for_email(user=user)
    _grant_group_roles(user, claims)
    return user, created


def sso_signed_in_record(*, user, issuer: str, created: bool) -> None:
    audit_record(project=None, actor=user, action=AuditAction.SSO_SIGNED_IN, target=user.email,
                 after={"issuer": issuer, "account_created": created})


def sso_refused_record(*, reason: str, code: str, email: str = "") -> None:
    audit_record(project=None, actor=None, action=AuditAction.SSO_REFUSED, target=email or "(unknown)",
                 after={"issuer": settings.OIDC_ISSUER, "code": code, "reason": reason})
