"""Who may do what. REST views, the admin and the pages all ask here, so each rule is written once.

An outsider learns nothing: a project the user is not a member of is "not found", never "forbidden".
"""

from __future__ import annotations

from enum import StrEnum
from functools import reduce

from django.db.models import OuterRef, QuerySet, Subquery

from apps.core.exceptions import NotAllowed, NotFound
from apps.projects.models import Membership, Project, Role


class Action(StrEnum):
    VIEW = "view"
    MANAGE_LIBRARY = "manage_library"
    GENERATE = "generate"
    UPLOAD = "upload"
    MANAGE_PROJECT = "manage_project"
    MANAGE_MEMBERS = "manage_members"
    EXPORT = "export"
    VIEW_AUDIT = "view_audit"
    COMMENT = "comment"
    ASSIGN = "assign"


# Export (a zip of many full-size files at once) is for the roles that deliver work; viewers read
# and download single files.
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset({Action.VIEW}),
    Role.EDITOR: frozenset({Action.VIEW, Action.MANAGE_LIBRARY, Action.GENERATE, Action.UPLOAD, Action.EXPORT, Action.COMMENT, Action.ASSIGN}),
    # Who may decide reviews is the project's review policy (apps.approvals.policy), not a fixed role right.
    Role.REVIEWER: frozenset({Action.VIEW, Action.EXPORT, Action.COMMENT}),
    Role.OWNER: frozenset(Action),
}

ACTION_WORDS = {
    Action.VIEW: "view this project",
    Action.MANAGE_LIBRARY: "change this project's library",
    Action.GENERATE: "create generations in this project",
    Action.UPLOAD: "upload assets to this project",
    Action.MANAGE_PROJECT: "change this project",
    Action.MANAGE_MEMBERS: "manage this project's members",
    Action.EXPORT: "export this project's assets",
    Action.VIEW_AUDIT: "see this project's audit log",
    Action.COMMENT: "comment on this project's assets",
    Action.ASSIGN: "assign reviews in this project",
}


def roles_allowed(action: Action) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]


def role_of(user, project: Project) -> str | None:
    if not user.is_authenticated:
        return None
    return Membership.objects.filter(project=project, user=user).values_list("role", flat=True).first()


def is_key_principal(user) -> bool:
    """Whether `user` is a project API key's principal (apps.apikeys), not a person."""
    return bool(user.is_authenticated) and hasattr(user, "api_key")


def refuse_key_principal(user, doing: str) -> None:
    """A key acts in its one project with its one role, nothing else: it may not `doing` (make
    projects, keys or accept invitations), so nothing a key makes outlives its revocation."""
    if is_key_principal(user):
        raise NotAllowed(
            f"A project API key may not {doing}: it acts only in its own project, with its own role. Use a person's account.",
            code="permission_denied",
        )


def role_allows(role: str | None, action: Action) -> bool:
    return role is not None and action in ROLE_ACTIONS[role]


def projects_for(user, action: Action = Action.VIEW) -> QuerySet[Project]:
    """The projects on which `user` may do `action`, as a queryset to filter other tables by."""
    if not user.is_authenticated:
        return Project.objects.none()
    return Project.objects.filter(memberships__user=user, memberships__role__in=roles_allowed(action))


def check(user, project: Project, action: Action, *, role: str | None = None) -> None:
    """404 for outsiders, 403 for members whose role lacks the action."""
    role = role if role is not None else role_of(user, project)
    if role is None:
        raise NotFound("Not found.", code="not_found")
    if not role_allows(role, action):
        raise NotAllowed(
            f"Your role ({role}) may not {ACTION_WORDS[action]}. Allowed roles: {', '.join(roles_allowed(action))}.",
            code="permission_denied",
        )


def project_for(user, project_id, action: Action = Action.VIEW) -> Project:
    """Load a project by id for a user about to do `action`, or refuse."""
    project = None
    if user.is_authenticated:  # the project and this user's role in it, in one query
        my_role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
        project = Project.objects.filter(pk=project_id).annotate(my_role=Subquery(my_role)).first()
    if project is None or project.my_role is None:
        raise NotFound("Not found.", code="not_found")
    check(user, project, action, role=project.my_role)
    return project


def object_for(user, queryset: QuerySet, pk, action: Action = Action.VIEW, *, project_path: str = "project"):
    """Load a project-owned row by id for `user`, in one query, or refuse (404 outsider, 403 role).

    `project_path` leads from the row to its project, e.g. "entry__project" for a reference image.
    """
    if not user.is_authenticated:
        raise NotFound("Not found.", code="not_found")
    my_role = Membership.objects.filter(project=OuterRef(project_path), user=user).values("role")[:1]
    obj = queryset.select_related(project_path).annotate(my_role=Subquery(my_role)).filter(pk=pk).first()
    if obj is None or obj.my_role is None:
        raise NotFound("Not found.", code="not_found")
    check(user, reduce(getattr, project_path.split("__"), obj), action, role=obj.my_role)
    return obj
