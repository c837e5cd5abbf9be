"""Member invitations that never reveal whether an account exists.

An owner invites an email address; the answer is the same (202, the same body, the same work:
a row and an email) whether or not an account has that address, and whether or not it is
already a member. The person accepts from the link in the email, signed in with an account of
that address; only then does a membership exist.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Callable

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import NotFound
from apps.projects import policy
from apps.projects.models import Invitation, Membership, Project

logger = logging.getLogger(__name__)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_invitations(project: Project):
    """Invitations of `project` that can still be accepted."""
    return Invitation.objects.filter(project=project, accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now())


def _lock(project: Project) -> None:
    """Membership and invitation changes of one project take turns on the project's row (as
    services._ensure_an_owner_remains does), so an acceptance racing a removal or a withdrawal
    sees the invitation closed, never half."""
    Project.objects.select_for_update().values_list("pk", flat=True).get(pk=project.pk)


def invitations_close(*, project: Project, email: str) -> int:
    """Close every open invitation of `email` to `project` (call inside the locking transaction)."""
    if not email:
        return 0
    return open_invitations(project).filter(email=email.strip().lower()).update(withdrawn_at=timezone.now())


@transaction.atomic
def invitation_send(*, project: Project, email: str, role: str, actor, accept_url: Callable[[str], str]) -> Invitation:
    """Record the invitation and email its link once the transaction commits. It replaces the
    address's open invitations to this project: only the newest link works."""
    _lock(project)
    invitations_close(project=project, email=email)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        project=project, email=email.strip().lower(), role=role, token_sha256=_digest(token), invited_by=actor,
        expires_at=timezone.now() + timezone.timedelta(days=settings.INVITATION_DAYS),
    )
    audit_record(project=project, actor=actor, action=AuditAction.MEMBER_INVITED, target=invitation.email, after={"role": role})
    link = accept_url(token)
    transaction.on_commit(lambda: _email(invitation, link))
    return invitation


@transaction.atomic
def invitation_withdraw(*, invitation: Invitation, actor) -> None:
    """An owner takes an open invitation back: its link stops working at once."""
    _lock(invitation.project)
    if open_invitations(invitation.project).filter(pk=invitation.pk).update(withdrawn_at=timezone.now()):
        audit_record(
            project=invitation.project, actor=actor, action=AuditAction.MEMBER_INVITATION_WITHDRAWN, target=invitation.email,
            before={"role": invitation.role},
        )


def _email(invitation: Invitation, link: str) -> None:
    try:
        send_mail(
            subject=f"You are invited to {invitation.project.name}",
            message=(
                f"{invitation.invited_by.get_username() if invitation.invited_by else 'An owner'} invited you to the project "
                f"{invitation.project.name!r} as {invitation.role}.\n\nAccept (signed in with the account of this address) "
                f"before {invitation.expires_at:%Y-%m-%d %H:%M} UTC:\n{link}\n\nIf you did not expect this, ignore this email."
            ),
            from_email=None, recipient_list=[invitation.email],
        )
    except Exception:  # the owner's answer must not depend on the mail server; the log says what failed
        logger.exception("Could not send the invitation %s", invitation.pk)


def invitation_for(token: str) -> Invitation:
    """The open invitation with this token, or 404 (unknown, used or expired: the same answer)."""
    invitation = (
        Invitation.objects.select_related("project", "invited_by")
        .filter(token_sha256=_digest(token), accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if invitation is None:
        raise NotFound("This invitation is unknown, used or expired. Ask the project's owner for a new one.")
    return invitation


@transaction.atomic
def invitation_accept(*, token: str, user) -> Membership:
    """The signed-in user, if the invitation is addressed to their email, joins with its role.
    Accepting closes the address's other open invitations to the project."""
    policy.refuse_key_principal(user, "accept invitations")
    _lock(invitation_for(token).project)
    invitation = invitation_for(token)  # again, under the lock: a removal or withdrawal may just have closed it
    if not user.email or user.email.strip().lower() != invitation.email:
        raise NotFound("This invitation is addressed to another email address than your account's.")
    return _accept(invitation, user)


@transaction.atomic
def invitations_accept_for_email(*, user) -> list[Membership]:
    """Single sign-on: the provider verified the person's email, which is what an invitation's
    link proves, so every open invitation to that address is accepted when they sign in."""
    email = (user.email or "").strip().lower()
    if not email or policy.is_key_principal(user):
        return []
    joined = []
    for project_id in list(Invitation.objects.filter(email=email, accepted_at__isnull=True, withdrawn_at__isnull=True,
                                                expires_at__gt=timezone.now()).values_list("project_id", flat=True).distinct()):
        _lock(Project(pk=project_id))
        invitation = open_invitations(Project(pk=project_id)).filter(email=email).select_related("project", "invited_by").order_by("-created_at").first()
        if invitation is not None:
            joined.append(_accept(invitation, user))
    return joined


def _accept(invitation: Invitation, user) -> Membership:
    membership, created = Membership.objects.get_or_create(project=invitation.project, user=user, defaults={"role": invitation.role})
    Invitation.objects.filter(pk=invitation.pk).update(accepted_at=timezone.now(), accepted_by=user)
    invitations_close(project=invitation.project, email=invitation.email)
    if created:
        audit_record(
            project=invitation.project, actor=user, action=AuditAction.MEMBER_ADDED, target=user.get_username(),
            after={"role": membership.role, "invited_by": invitation.invited_by.get_username() if invitation.invited_by else None},
        )
    return membership
