"""Who may share review links, and what a guest reaches: one place each."""

from __future__ import annotations

from apps.approvals.policy import policy_for
from apps.core.exceptions import NotAllowed
from apps.guests.models import ReviewLink
from apps.projects import policy as project_policy
from apps.projects.models import Project, Role


def role_may_share(project: Project, role: str | None) -> bool:
    """Owners share review links; editors too where the project's review policy allows it."""
    return role == Role.OWNER or (role == Role.EDITOR and policy_for(project).editors_share_links)


def check_may_share(project: Project, role: str | None) -> None:
    if not role_may_share(project, role):
        allowed = "owner, editor" if policy_for(project).editors_share_links else "owner (editors where the review policy allows it)"
        raise NotAllowed(f"Your role ({role}) may not share review links in this project. Allowed roles: {allowed}.", code="permission_denied")


def project_for_sharing(user, project_id) -> Project:
    """The project (404 outsiders) whose links `user` may list, make and revoke (else 403)."""
    project = project_policy.project_for(user, project_id)
    check_may_share(project, project_policy.role_of(user, project))
    return project


def link_for_sharing(user, link_id) -> ReviewLink:
    link = project_policy.object_for(user, ReviewLink.objects.all(), link_id)
    check_may_share(link.project, link.my_role)
    return link


def link_assets(link: ReviewLink):
    """Everything a guest of `link` may see: its assets, nothing else (a queryset to look ids up in)."""
    return link.assets.filter(project_id=link.project_id)
