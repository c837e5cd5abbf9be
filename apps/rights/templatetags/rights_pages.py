"""How the pages show rights: the badge on tiles, the asset page's line and override, the library entry's rights."""

from django import template

from apps.rights import selectors
from apps.rights.forms import OverrideForm, RightForm
from apps.rights.services import is_expired

register = template.Library()

BADGES = {"expired": "Rights expired", "expiring": "Rights end {ends_on}", "not_started": "Rights start {starts_on}",
          "overridden": "Rights override"}


@register.filter
def rights_expired(asset) -> bool:
    """Whether the asset's file may not be delivered today (reads the row asset_queryset joined)."""
    return is_expired(selectors.stored_rights(asset))


@register.inclusion_tag("rights/_badge.html")
def rights_badge(asset):
    """Nothing for an asset with no rights or valid ones; a badge when they ended, end within 30 days,
    have not started, or an override lets it through."""
    row = selectors.stored_rights(asset)
    state = selectors.state(row)
    if state not in BADGES:
        return {"state": None}
    label = BADGES[state].format(ends_on=row.ends_on.isoformat() if row.ends_on else "", starts_on=row.starts_on.isoformat() if row.starts_on else "")
    return {"state": state, "label": label, "title": selectors.sentence(row)}


@register.inclusion_tag("rights/_asset_panel.html", takes_context=True)
def asset_rights_panel(context, asset):
    from apps.rights.services import effective_rights_of

    row = effective_rights_of(asset)
    role_rights = context.get("rights")
    return {
        "asset": asset, "row": row, "state": selectors.state(row), "sentence": selectors.sentence(row),
        "may_override": bool(role_rights and role_rights.manage_project), "override_form": OverrideForm(),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("rights/_entry_rights.html", takes_context=True)
def entry_rights(context, entry):
    from apps.rights.models import Right

    images = list(entry.live_images)
    numbers = {image.pk: number for number, image in enumerate(images, 1)}
    rights = list(Right.objects.filter(reference_image__entry=entry, reference_image__archived_at__isnull=True).select_related("reference_image"))
    role_rights = context.get("rights")
    return {
        "entry": entry, "rows": [(right, numbers.get(right.reference_image_id)) for right in rights],
        "may_edit": bool(role_rights and role_rights.manage_library) and not entry.archived_at and images,
        "form": RightForm(images=images), "csrf_token": context.get("csrf_token"),
    }


@register.filter
def view_src(asset) -> str:
    """What a page shows of the asset: its web-size copy, or its thumbnail once its rights ended
    (the file and the web-size copy are refused then; the page still shows what it is)."""
    from django.urls import reverse

    return reverse("asset-thumbnail" if rights_expired(asset) else "asset-display", args=[asset.pk])


@register.filter
def file_src(asset) -> str:
    """Where a page's full-size view links: the stored file, or the thumbnail once its rights ended."""
    from django.urls import reverse

    return reverse("asset-thumbnail" if rights_expired(asset) else "asset-file", args=[asset.pk])


@register.inclusion_tag("rights/_upload_fields.html")
def rights_upload_fields(required: bool):
    """The right that comes with new reference images, inside the library's upload form."""
    from apps.rights.models import HOLDER_MAX_CHARS, RightKind

    return {"required": required, "kinds": RightKind.choices, "holder_max": HOLDER_MAX_CHARS}
