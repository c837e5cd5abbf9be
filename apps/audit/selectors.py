from django.db.models import QuerySet

from apps.audit.models import AuditEvent


def audit_list(*, project) -> QuerySet[AuditEvent]:
    """A project's audit events, newest first."""
    return AuditEvent.objects.filter(project=project).order_by("-created_at", "-id")
