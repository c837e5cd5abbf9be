"""The comments panel (threads, pins, reply, resolve, apply as edit) wherever a person decides:
the asset page, the review queue; read-only pins over other images (a campaign cell's drafts).
One template, one context (views.comments_context)."""

import json

from django import template

from apps.approvals import selectors
from apps.approvals.views import comments_context

register = template.Library()


@register.inclusion_tag("approvals/_comments.html", takes_context=True)
def comments_panel(context, asset):
    request = context["request"]
    return {**comments_context(request.user, asset, next_url=request.get_full_path()), "request": request, "csrf_token": context.get("csrf_token")}


@register.filter
def pin_markers(comments) -> list[dict]:
    return selectors.pin_markers(comments)


@register.filter
def pins_json(asset) -> str:
    """An image's pins for data-pins (read-only markers)."""
    return json.dumps(selectors.pin_markers(selectors.asset_comments(asset)))
