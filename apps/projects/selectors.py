from django.db.models import OuterRef, QuerySet, Subquery

from apps.projects.models import Membership, Project
from apps.projects.policy import projects_for


def project_list(*, user) -> QuerySet[Project]:
    """The caller's projects, each annotated with the caller's role."""
    my_role = Membership.objects.filter(project=OuterRef("pk"), user=user).values("role")[:1]
    return projects_for(user).annotate(my_role=Subquery(my_role)).order_by("name", "id")


def member_list(*, project: Project) -> QuerySet[Membership]:
    """People only: a project API key's principal is listed, changed and revoked as a key (apps.apikeys)."""
    return project.memberships.filter(user__api_key__isnull=True).select_related("user").order_by("user__username")
