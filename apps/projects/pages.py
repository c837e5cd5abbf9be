"""What project pages share: the project loaded by the user's role, and what that role lets them do."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from apps.projects import policy
from apps.projects.models import Project


@dataclass(frozen=True)
class Rights:
    """What the current user's role lets them do in one project, for showing or hiding actions."""

    role: str
    generate: bool
    manage_library: bool
    upload: bool
    manage_project: bool
    review: bool


# Who may decide reviews is the review policy's rule (apps.approvals.policy.role_may_decide), which
# ApprovalsConfig.ready() registers here: the pages of apps below approvals show it too.
_may_review: list[Callable[[Project, str | None], bool]] = []


def review_rule_register(rule: Callable[[Project, str | None], bool]) -> None:
    _may_review[:] = [rule]


def rights_for(user, project: Project, role: str) -> Rights:
    return Rights(
        role=role,
        generate=policy.role_allows(role, policy.Action.GENERATE),
        manage_library=policy.role_allows(role, policy.Action.MANAGE_LIBRARY),
        upload=policy.role_allows(role, policy.Action.UPLOAD),
        manage_project=policy.role_allows(role, policy.Action.MANAGE_PROJECT),
        review=any(rule(project, role) for rule in _may_review),
    )


def project_page(request, project_id, action=policy.Action.VIEW) -> tuple[Project, Rights]:
    """The project (404 for outsiders, 403 for a role without `action`) and the user's rights in it."""
    project = policy.project_for(request.user, project_id, action)
    return project, rights_for(request.user, project, project.my_role)
