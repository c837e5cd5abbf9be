"""Review links: made (token returned once, its hash kept), revoked, opened, and the guest's
visit. Guests' decisions and comments go through apps.approvals' guest services, which keep the
review rules; the link's own rules (scope, actions, expiry, revocation, rate) are here."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from apps.assets.models import Asset
from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.exceptions import ApplicationError, NotAllowed, NotFound, Throttled, ValidationFailed
from apps.guests.models import (
    ASSETS_PER_LINK, LABEL_MAX_CHARS, PASSCODE_MAX_CHARS, PASSCODE_MIN_CHARS, GuestAction, GuestVisit, ReviewLink, Scope,
)


class LinkGone(ApplicationError):
    """A revoked or expired link: 410, with a plain page."""

    status_code = 410


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class ReviewLinkInput:
    label: str
    asset: object = None
    assets: list = field(default_factory=list)
    campaign: object = None
    stage: str = ""
    actions: list = field(default_factory=list)
    expires_in_days: int | None = None
    passcode: str = ""


def _scope_assets(project, data: ReviewLinkInput) -> tuple[str, list, object]:
    """(scope, assets, campaign) from exactly one of asset, assets, or campaign + stage."""
    given = [name for name, value in (("asset", data.asset), ("assets", data.assets), ("campaign", data.campaign)) if value]
    if len(given) != 1:
        raise ValidationFailed("Say what the link shows: exactly one of asset, assets (a selection) or campaign with stage.",
                               field="assets", details={"given": given})
    if data.campaign:
        from apps.campaigns.models import Campaign, Stage
        from apps.campaigns.selectors import campaign_state, stage_assets

        campaign = Campaign.objects.filter(pk=data.campaign, project=project).first()
        if campaign is None:
            raise ValidationFailed(f"No campaign {data.campaign} in this project.", field="campaign")
        if data.stage not in Stage.values:
            raise ValidationFailed(f"stage must be one of {', '.join(Stage.values)}; got {data.stage!r}.", field="stage")
        assets = stage_assets(campaign_state(campaign), data.stage)
        if not assets:
            raise ValidationFailed(f"The campaign's {data.stage} stage has no images yet; run it first.", field="stage")
        return Scope.CAMPAIGN_STAGE, assets[:ASSETS_PER_LINK], campaign
    ids = [data.asset] if data.asset else list(dict.fromkeys(str(i) for i in data.assets))
    if len(ids) > ASSETS_PER_LINK:
        raise ValidationFailed(f"A link shows at most {ASSETS_PER_LINK} assets; got {len(ids)}.", field="assets",
                               code="too_many", details={"limit": ASSETS_PER_LINK, "value": len(ids)})
    assets = list(Asset.objects.filter(project=project, pk__in=ids))
    if len(assets) != len(ids):
        found = {str(a.pk) for a in assets}
        missing = [i for i in ids if i not in found]
        raise ValidationFailed(f"Not assets of this project: {', '.join(missing[:5])}.", field="asset" if data.asset else "assets")
    return (Scope.ASSET if data.asset else Scope.SELECTION), assets, None


def _checked(data: ReviewLinkInput) -> ReviewLinkInput:
    data.label = (data.label or "").strip()
    if not data.label:
        raise ValidationFailed('Name the link after who it is for, e.g. "Agency Blau".', field="label", code="blank")
    if len(data.label) > LABEL_MAX_CHARS:
        raise ValidationFailed(f"The label is {len(data.label)} characters; the limit is {LABEL_MAX_CHARS}.", field="label", code="too_long")
    days = settings.REVIEW_LINK_DAYS_DEFAULT if data.expires_in_days in (None, "") else data.expires_in_days
    if not isinstance(days, int) or not 1 <= days <= settings.REVIEW_LINK_DAYS_MAX:
        raise ValidationFailed(f"expires_in_days must be from 1 to {settings.REVIEW_LINK_DAYS_MAX}; got {days!r}.", field="expires_in_days",
                               details={"limit": settings.REVIEW_LINK_DAYS_MAX, "value": days})
    data.expires_in_days = days
    unknown = [a for a in data.actions if a not in GuestAction.values]
    if unknown:
        raise ValidationFailed(f"Unknown guest actions {unknown}; choose from {', '.join(GuestAction.values)} (viewing is always allowed).",
                               field="actions")
    if data.passcode and not PASSCODE_MIN_CHARS <= len(data.passcode) <= PASSCODE_MAX_CHARS:
        raise ValidationFailed(f"A passcode has {PASSCODE_MIN_CHARS} to {PASSCODE_MAX_CHARS} characters; this one has {len(data.passcode)}.",
                               field="passcode")
    return data


@transaction.atomic
def review_link_create(*, project, user, data: ReviewLinkInput) -> tuple[ReviewLink, str]:
    """The link and its token (shown once: only its hash is kept)."""
    data = _checked(data)
    scope, assets, campaign = _scope_assets(project, data)
    token = secrets.token_urlsafe(32)
    link = ReviewLink.objects.create(
        project=project, label=data.label, token_sha256=_digest(token), scope=scope, campaign=campaign, stage=data.stage if campaign else "",
        actions=[a for a in GuestAction.values if a in data.actions], passcode_hash=make_password(data.passcode) if data.passcode else "",
        expires_at=timezone.now() + timezone.timedelta(days=data.expires_in_days), created_by=user,
    )
    link.assets.set(assets)
    audit_record(project=project, actor=user, action=AuditAction.REVIEW_LINK_CREATED, target=link.label,
                 after={"link": str(link.pk), "scope": scope, "assets": len(assets), "actions": link.actions,
                        "expires_at": link.expires_at.isoformat(), "passcode": bool(data.passcode)})
    return link, token


@transaction.atomic
def review_link_revoke(*, link: ReviewLink, user) -> None:
    """The link stops working at once (410); what its guests decided stays recorded."""
    if ReviewLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(revoked_at=timezone.now(), revoked_by=user):
        audit_record(project=link.project, actor=user, action=AuditAction.REVIEW_LINK_REVOKED, target=link.label, before={"link": str(link.pk)})


def link_open(token: str) -> ReviewLink:
    """The link of this token: 404 unknown, 410 revoked or expired."""
    link = ReviewLink.objects.select_related("project").filter(token_sha256=_digest(token or "")).first()
    if link is None:
        raise NotFound("This review link does not exist. Check the address, or ask whoever sent it.")
    if link.revoked_at is not None:
        raise LinkGone("This review link was revoked. Ask whoever sent it for a new one.", code="link_revoked")
    if link.expires_at <= timezone.now():
        raise LinkGone(f"This review link expired on {link.expires_at:%Y-%m-%d %H:%M} UTC. Ask whoever sent it for a new one.", code="link_expired")
    return link


def guest_throttle(link: ReviewLink, address: str | None) -> None:
    """At most GUEST_ACTIONS_PER_MINUTE actions (sign-ins, passcode tries, decisions, comments)
    per link and address in a minute; more answers 429."""
    window = int(time.time() // 60)
    key = f"guest-actions:{link.pk}:{address}:{window}"
    cache.add(key, 0, 70)
    try:
        count = cache.incr(key)
    except ValueError:
        count = 1
    if count > settings.GUEST_ACTIONS_PER_MINUTE:
        wait = 60 - int(time.time() % 60)
        raise Throttled(f"Too many actions on this link from your address: at most {settings.GUEST_ACTIONS_PER_MINUTE} a minute. "
                        f"Try again in {wait} s.", retry_after=wait)


def guest_visit_start(*, link: ReviewLink, name: str, email: str, passcode: str = "") -> GuestVisit:
    name, email = (name or "").strip(), (email or "").strip().lower()
    if not name or len(name) > 100:
        raise ValidationFailed("Give your name (at most 100 characters): it is shown with your comments and decisions.", field="name")
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationFailed(f"Give a valid email address; got {email[:60]!r}.", field="email") from None
    if link.passcode_hash and not check_password(passcode or "", link.passcode_hash):
        raise ValidationFailed("The passcode is not right. Ask whoever sent the link.", field="passcode", code="wrong_passcode")
    return GuestVisit.objects.create(link=link, name=name, email=email)


def guest_may(link: ReviewLink, action: str) -> None:
    if not link.allows(action):
        raise NotAllowed(f"This review link does not let guests {GuestAction(action).label.lower()}.", code="permission_denied")
