"""An audit event as a sentence a person reads ("olga changed rita's role from reviewer to editor"),
with its changed values as labelled pairs. The stored row keeps the exact before/after; this is
only how the owners' page says it. An action without its own sentence (another app's new one)
still reads as "<who> <what>: <field> <new> (was <old>)"."""

from __future__ import annotations

from apps.audit.models import AuditAction, AuditEvent

FIELD_NAMES = {
    "decider_roles": "who may decide", "four_eyes": "four eyes", "approvals_required": "approvals required",
    "checks_must_pass": "checks must pass", "monthly_budget_usd": "monthly budget", "budget_alert_percent": "budget alert",
    "name": "name", "brief": "brand brief", "credentials_include_prompt": "prompts in Content Credentials",
    "credentials_include_names": "names in Content Credentials", "credentials_include_comments": "comments in Content Credentials",
    "url": "URL", "events": "events", "is_active": "active", "role": "role", "expires_at": "expires",
}


def _value(name: str, value) -> str:
    if value is None or value == "":
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    if name == "monthly_budget_usd":
        return f"${value}"
    if name == "budget_alert_percent":
        return f"{value}%"
    text = _plain(value) or "none"
    return text if len(text) <= 160 else text[:159] + "…"


def _plain(value) -> str:
    """Lists and mappings in words: [{"name": "Teal", "hex": "#0F8B8D"}] reads "Teal #0F8B8D"."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, list):
        return ", ".join(" ".join(_plain(v) for v in item.values() if v not in (None, "", [])) if isinstance(item, dict) else _plain(item)
                         for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key.replace('_', ' ')}: {_plain(item) or 'none'}" for key, item in value.items())
    return "" if value is None else str(value)


def changes(event: AuditEvent) -> list[tuple[str, str, str | None]]:
    """(field, new, old or None) for every value the event records as different (or new)."""
    before, after = event.before or {}, event.after or {}
    rows = []
    for name in [*after, *(name for name in before if name not in after)]:
        old, new = before.get(name), after.get(name)
        if name in before and name in after and old == new:
            continue
        rows.append((FIELD_NAMES.get(name, name.replace("_", " ")), _value(name, new) if name in after else "removed",
                     _value(name, old) if name in before else None))
    return rows


def _changed_list(event: AuditEvent) -> str:
    parts = [f"{field} {new}" + (f" (was {old})" if old is not None else "") for field, new, old in changes(event)]
    return "; ".join(parts)


def describe(event: AuditEvent) -> str:
    """The event as one sentence, ending with a full stop."""
    who, target = event.actor_name or "Someone", event.target
    before, after = event.before or {}, event.after or {}
    action = event.action
    if action == AuditAction.MEMBER_INVITED:
        return f"{who} invited {target} as {after.get('role', 'a member')}."
    if action == AuditAction.MEMBER_INVITATION_WITHDRAWN:
        return f"{who} withdrew the invitation to {target}" + (f" ({before['role']})." if before.get("role") else ".")
    if action == AuditAction.MEMBER_ADDED:
        if after.get("invited_by"):
            return f"{target} joined as {after.get('role')}, invited by {after['invited_by']}."
        if who == target:
            return f"{target} joined as {after.get('role')}."
        return f"{who} added {target} as {after.get('role')}."
    if action == AuditAction.MEMBER_ROLE_CHANGED:
        return f"{who} changed {target}'s role from {before.get('role')} to {after.get('role')}."
    if action == AuditAction.MEMBER_REMOVED:
        if who == target:
            return f"{target} left the project (was {before.get('role')})."
        return f"{who} removed {target} (was {before.get('role')})."
    if action == AuditAction.API_KEY_CREATED:
        expires = after.get("expires_at")
        return f"{who} made the API key {target} as {after.get('role')}" + (f", expiring {expires[:10]}." if expires else ", with no expiry.")
    if action == AuditAction.API_KEY_REVOKED:
        return f"{who} revoked the API key {target}."
    if action == AuditAction.WEBHOOK_CREATED:
        return f"{who} added the webhook {target} for {_value('events', after.get('events'))}."
    if action == AuditAction.WEBHOOK_DELETED:
        return f"{who} deleted the webhook {target}."
    if action == AuditAction.WEBHOOK_SECRET_ROTATED:
        hours = (after.get("grace_seconds") or 0) / 3600
        return f"{who} rotated the signing secret of the webhook {target}; the old secret kept signing for {hours:g} hour{'s' if hours != 1 else ''}."
    if action == AuditAction.CHECKS_WAIVED:
        return (f"{who} approved {target} although brand checks failed ({_value('checks', after.get('checks'))}); "
                f"waiver: “{after.get('waiver', '')}”.")
    if action == AuditAction.BRAND_KIT_CHANGED:
        names = [field for field, _, _ in changes(event)]
        return f"{who} changed the brand kit ({target})" + (f": {', '.join(names)}." if names else ".")
    subject = {
        AuditAction.REVIEW_POLICY_CHANGED: "the review policy", AuditAction.BUDGET_CHANGED: "the budget",
        AuditAction.PROJECT_CHANGED: "the project's settings", AuditAction.WEBHOOK_CHANGED: f"the webhook {target}",
    }.get(action)
    listed = _changed_list(event)
    if subject is None:
        label = event.get_action_display() if action in AuditAction.values else action
        return f"{who}: {label.lower()}" + (f" — {target}" if target else "") + (f": {listed}." if listed else ".")
    return f"{who} changed {subject}" + (f": {listed}." if listed else " (nothing different).")


def values_beyond_the_sentence(event: AuditEvent) -> list[tuple[str, str, str | None]]:
    """The changed values the sentence does not already spell out (a brand kit's, another app's
    new action's), for a "Values" disclosure under it; empty for every other action."""
    if event.action == AuditAction.BRAND_KIT_CHANGED or event.action not in AuditAction.values:
        return changes(event)
    return []
