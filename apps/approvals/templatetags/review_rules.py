"""The review rules as templates ask them, so markup (and the script reading it) never copies a rule."""

from django import template

from apps.approvals import policy
from apps.approvals.models import Decision

register = template.Library()

# Each decision's keyboard shortcut: the review page and the campaign grid read this map from the
# page (`decision_keys`), never from a copy in their scripts.
DECISION_KEYS = {Decision.APPROVE: "a", Decision.REJECT: "r", Decision.REQUEST_CHANGES: "c"}


@register.filter
def comment_required(decision: str) -> bool:
    return policy.comment_required(decision)


@register.simple_tag
def decision_keys() -> list[dict]:
    """Every decision with its key, its label and whether it needs a comment (the policy's rule),
    for `json_script` and for the keys' help line."""
    return [
        {"key": DECISION_KEYS[value], "decision": value, "label": label, "comment_required": policy.comment_required(value)}
        for value, label in Decision.choices
    ]


@register.simple_tag
def comment_rule() -> str:
    """The comment rule in words (the policy's)."""
    return policy.comment_rule_text()
