"""The review rules as templates ask them, so markup (and the script reading it) never copies a rule."""

from django import template

from apps.approvals import policy

register = template.Library()


@register.filter
def comment_required(decision: str) -> bool:
    return policy.comment_required(decision)
