"""Writing to the audit log. Call `audit_record` inside the transaction of the change it records,
so the change and its record commit or roll back together."""

from __future__ import annotations

from apps.audit.models import AuditEvent


def audit_record(*, project, actor, action: str, target: str = "", before=None, after=None, actor_name: str = "") -> AuditEvent | None:
    """Append one event; nothing when before and after are equal (a save that changed nothing)."""
    if before is not None and after is not None and before == after:
        return None
    return AuditEvent.objects.create(
        project=project,
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_name=(actor_name or (actor.get_username() if actor is not None and actor.is_authenticated else "system"))[:150],
        action=action, target=target[:500], before=before, after=after,
    )
