from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import Conflict
from apps.projects import policy
from apps.projects.invitations import invitations_close
from apps.projects.models import Membership, Project, Role


@transaction.atomic
def project_create(*, user, name: str, brief: str = "", monthly_budget_usd=None, **disclosure: bool) -> Project:
    """The creator becomes the project's owner. `disclosure`: the credentials_include_* switches.
    A key's principal may not create projects."""
    policy.refuse_key_principal(user, "create projects")
    project = Project.objects.create(name=name, brief=brief, monthly_budget_usd=monthly_budget_usd, created_by=user, **disclosure)
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    return project


# Settings whose changes the audit log keeps as "project.changed" (the budget has its own action):
# among them what delivered files disclose (apps.assets.provenance).
BUDGET_SETTINGS = ("monthly_budget_usd", "budget_alert_percent")
AUDITED_SETTINGS = ("name", "brief", "credentials_include_prompt", "credentials_include_names", "credentials_include_comments")


@transaction.atomic
def project_update(*, project: Project, actor=None, **fields) -> Project:
    """Changes of the monthly budget, the name, the brief and what Content Credentials carry are
    written to the audit log with their old and new values."""
    stored = Project.objects.select_for_update().values(*AUDITED_SETTINGS, *BUDGET_SETTINGS).get(pk=project.pk)
    for name, value in fields.items():
        setattr(project, name, value)
    budget_changed = [name for name in BUDGET_SETTINGS if name in fields and stored[name] != getattr(project, name)]
    if budget_changed:
        project.budget_alert_sent_for = None  # a new budget or threshold is watched afresh this month
        fields = {**fields, "budget_alert_sent_for": None}
    project.save(update_fields=[*fields, "updated_at"])
    if "monthly_budget_usd" in fields or budget_changed:
        shown = {"monthly_budget_usd": _money, "budget_alert_percent": lambda value: value}
        named = [name for name in BUDGET_SETTINGS if name in fields]
        audit_record(
            project=project, actor=actor, action=AuditAction.BUDGET_CHANGED,
            before={name: shown[name](stored[name]) for name in named}, after={name: shown[name](getattr(project, name)) for name in named},
        )
    changed = [name for name in AUDITED_SETTINGS if name in fields and stored[name] != getattr(project, name)]
    if changed:
        audit_record(
            project=project, actor=actor, action=AuditAction.PROJECT_CHANGED, target=project.name,
            before={name: stored[name] for name in changed}, after={name: getattr(project, name) for name in changed},
        )
    return project


def _money(value) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def project_delete(*, project: Project) -> None:
    """Only a project without assets or library entries goes: deleting a project never deletes
    images (a cascade would drop the rows and leave their files orphaned; lineage and reference
    images are protected rows and used to make this a 500)."""
    if project.assets.exists() or project.library_entries.exists():
        raise Conflict(
            "This project still holds assets or library entries, and deleting a project never deletes images. "
            "Export what you need; the project stays.",
            code="project_not_empty",
        )
    project.delete()


def _ensure_an_owner_remains(project: Project, membership: Membership, new_role: str | None) -> None:
    """Call inside the transaction that makes the change. Membership changes of one project are
    serialised on the project's row (SQLite's IMMEDIATE transactions serialise them anyway), and
    the role is read again under that lock, so two owners demoting each other at once cannot both
    see the other still owner."""
    Project.objects.select_for_update().values_list("pk", flat=True).get(pk=project.pk)
    current_role = Membership.objects.filter(pk=membership.pk).values_list("role", flat=True).first()
    if current_role == Role.OWNER and new_role != Role.OWNER:
        if not Membership.objects.filter(project_id=project.pk, role=Role.OWNER).exclude(pk=membership.pk).exists():
            raise Conflict("A project must keep at least one owner; make someone else owner first.", code="last_owner", field="role")


@transaction.atomic
def member_add(*, project: Project, user, role: str, actor=None) -> Membership:
    """Add a member directly (the admin's way; people join by invitation). Audited."""
    policy.refuse_key_principal(user, "join another project")
    membership = Membership.objects.create(project=project, user=user, role=role)
    audit_record(project=project, actor=actor, action=AuditAction.MEMBER_ADDED, target=user.get_username(), after={"role": role})
    return membership


@transaction.atomic
def member_update(*, membership: Membership, role: str, actor=None) -> Membership:
    _ensure_an_owner_remains(membership.project, membership, role)
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        project=membership.project, actor=actor, action=AuditAction.MEMBER_ROLE_CHANGED,
        target=membership.user.get_username(), before={"role": before}, after={"role": role},
    )
    return membership


@transaction.atomic
def member_remove(*, membership: Membership, actor=None) -> None:
    """Removing a member also closes the open invitations to their address: an older link must
    not bring them back."""
    _ensure_an_owner_remains(membership.project, membership, None)
    invitations_close(project=membership.project, email=membership.user.email)
    membership.delete()
    audit_record(
        project=membership.project, actor=actor, action=AuditAction.MEMBER_REMOVED,
        target=membership.user.get_username(), before={"role": membership.role},
    )
