from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from apps.core.exceptions import Conflict, ValidationFailed
from apps.projects.models import Membership, Project, Role


@transaction.atomic
def project_create(*, user, name: str, brief: str = "", monthly_budget_usd=None, credentials_include_prompt: bool = False) -> Project:
    """The creator becomes the project's owner."""
    project = Project.objects.create(
        name=name, brief=brief, monthly_budget_usd=monthly_budget_usd, credentials_include_prompt=credentials_include_prompt, created_by=user
    )
    Membership.objects.create(project=project, user=user, role=Role.OWNER)
    return project


def project_update(*, project: Project, **fields) -> Project:
    for name, value in fields.items():
        setattr(project, name, value)
    project.save(update_fields=[*fields, "updated_at"])
    return project


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
def member_add(*, project: Project, username: str, role: str) -> Membership:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise ValidationFailed(f"No user named {username!r}.", field="username")
    membership, created = Membership.objects.get_or_create(project=project, user=user, defaults={"role": role})
    if not created:
        raise Conflict(f"{username!r} is already a member of this project (as {membership.role}).", code="already_member", field="username")
    return membership


@transaction.atomic
def member_update(*, membership: Membership, role: str) -> Membership:
    _ensure_an_owner_remains(membership.project, membership, role)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    _ensure_an_owner_remains(membership.project, membership, None)
    membership.delete()
