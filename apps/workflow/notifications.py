"""Notifications: recording an event for a person, their settings, and the emails (immediate ones
and digests), each sent exactly once per person and period.

Exactly once: a `Digest` row is the claim on one email (unique per person, period and key, taken
with a conditional insert: the second scheduler's insert fails and it walks away). Sending claims the
row again with a conditional update (pending -> sending, with a lease), so two workers never both
send; a failed send goes back to pending with a backed-off `next_attempt_at`; a worker that died
mid-send leaves a lease that expires, after which the row is sent again (the only case in which a
mail server that accepted the message before the crash would see it twice).
"""

from __future__ import annotations

import logging
import zoneinfo
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.core.exceptions import ValidationFailed
from apps.workflow.models import TIME_ZONES, Delivery, Digest, Event, Notification, NotificationSettings

logger = logging.getLogger(__name__)

IMMEDIATE = "immediate"
HOURLY = "hourly"
DAILY = "daily"
SEND_LEASE = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)
UNSUBSCRIBE_SALT = "workflow.unsubscribe"


# --- settings ---------------------------------------------------------------------------------


def settings_for(user) -> NotificationSettings:
    """The person's settings row (unsaved defaults when they never changed anything)."""
    return NotificationSettings.objects.filter(user=user).first() or NotificationSettings(user=user)


def time_zone_of(user) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings_for(user).time_zone)


def _checked_settings(time_zone, digest_hour, events) -> None:
    if time_zone is not None and time_zone not in TIME_ZONES:
        raise ValidationFailed(f"time_zone {str(time_zone)[:60]!r} is not a time zone name; use one like Europe/Berlin or America/New_York.",
                               field="time_zone")
    if digest_hour is not None and not (isinstance(digest_hour, int) and 0 <= digest_hour <= 23):
        raise ValidationFailed(f"digest_hour must be a whole hour from 0 to 23; got {digest_hour!r}.", field="digest_hour")
    for event, delivery in (events or {}).items():
        if event not in Event.values:
            raise ValidationFailed(f"events: {str(event)[:40]!r} is no event type; one of {', '.join(Event.values)}.", field="events")
        if delivery not in Delivery.values:
            raise ValidationFailed(f"events.{event}: {str(delivery)[:40]!r} is no delivery; one of {', '.join(Delivery.values)}.", field="events")


@transaction.atomic
def settings_update(*, user, time_zone: str | None = None, digest_hour: int | None = None, events: dict | None = None) -> NotificationSettings:
    """Change some of a person's choices; events not named keep theirs."""
    _checked_settings(time_zone, digest_hour, events)
    row, _ = NotificationSettings.objects.select_for_update().get_or_create(user=user)
    if time_zone is not None:
        row.time_zone = time_zone
    if digest_hour is not None:
        row.digest_hour = digest_hour
    if events:
        row.events = {**row.events, **events}
    row.save()
    return row


def unsubscribe_token(user, event: str) -> str:
    return signing.dumps({"u": user.pk, "e": event}, salt=UNSUBSCRIBE_SALT, compress=True)


def unsubscribe_read(token: str) -> tuple[int, str] | None:
    """(user id, event) from a link's token, or None when it was not made here."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("e") not in Event.values or not isinstance(data.get("u"), int):
        return None
    return data["u"], data["e"]


def unsubscribe(token: str):
    """Turn off exactly the link's event type for the link's person; returns (user, event) or None."""
    from django.contrib.auth import get_user_model

    read = unsubscribe_read(token)
    if read is None:
        return None
    user = get_user_model().objects.filter(pk=read[0]).first()
    if user is None:
        return None
    settings_update(user=user, events={read[1]: Delivery.OFF})
    return user, read[1]


# --- recording ----------------------------------------------------------------------------------


def notify(*, user, event: str, text: str, url: str, project=None, about: str = "") -> Notification | None:
    """Record `event` for `user` as their settings say: nothing when off; at once (an email of its
    own, sent after commit) or waiting for their hourly or daily digest."""
    if user is None or not user.is_active or hasattr(user, "api_key"):
        return None  # a project API key's principal reads no mail
    delivery = settings_for(user).delivery(event)
    if delivery == Delivery.OFF:
        return None
    with transaction.atomic():
        notification = Notification.objects.create(user=user, project=project, event=event, delivery=delivery, text=text[:500], url=url, about=about)
        if delivery == Delivery.IMMEDIATELY:
            digest = Digest.objects.create(user=user, period=IMMEDIATE, key=str(notification.pk), next_attempt_at=timezone.now())
            Notification.objects.filter(pk=notification.pk).update(digest=digest)
            notification.digest = digest
            transaction.on_commit(lambda: _enqueue_send(digest.pk))
    return notification


def _enqueue_send(digest_id: int) -> None:
    from apps.workflow.tasks import send_digest

    try:
        send_digest.delay(digest_id)
    except Exception:  # the scheduler's sweep sends it; a broker hiccup loses nothing
        logger.exception("could not enqueue digest %s; the sweep will send it", digest_id)


# --- digests ------------------------------------------------------------------------------------


def _claim(user, period: str, key: str, waiting, now) -> Digest | None:
    """The conditional insert: the one caller whose insert succeeds takes the waiting notifications."""
    try:
        with transaction.atomic():
            digest = Digest.objects.create(user=user, period=period, key=key, next_attempt_at=now)
            taken = waiting.filter(digest__isnull=True).update(digest=digest)
            if not taken:
                digest.delete()
                return None
            return digest
    except IntegrityError:
        return None  # another scheduler holds this person's period


def digests_open(*, now: datetime | None = None) -> list[Digest]:
    """Open the digests whose period has come: hourly ones for everything waiting from before this
    hour, daily ones once the person's hour has come on their local date. Returns those created here."""
    from django.contrib.auth import get_user_model

    now = now or timezone.now()
    hour_start = now.replace(minute=0, second=0, microsecond=0)
    created = []
    waiting_users = (Notification.objects.filter(digest__isnull=True, delivery__in=[Delivery.HOURLY, Delivery.DAILY])
                     .values_list("user_id", "delivery").distinct())
    by_user: dict[int, set] = {}
    for user_id, delivery in waiting_users:
        by_user.setdefault(user_id, set()).add(delivery)
    users = {user.pk: user for user in get_user_model().objects.filter(pk__in=by_user)}
    for user_id, deliveries in by_user.items():
        user = users[user_id]
        mine = Notification.objects.filter(user=user, digest__isnull=True)
        if Delivery.HOURLY in deliveries:
            waiting = mine.filter(delivery=Delivery.HOURLY, created_at__lt=hour_start)
            if waiting.exists():
                digest = _claim(user, HOURLY, hour_start.isoformat(), waiting, now)
                created += [digest] if digest else []
        if Delivery.DAILY in deliveries:
            choices = settings_for(user)
            local = now.astimezone(zoneinfo.ZoneInfo(choices.time_zone))
            if local.hour >= choices.digest_hour:
                digest = _claim(user, DAILY, local.date().isoformat(), mine.filter(delivery=Delivery.DAILY, created_at__lte=now), now)
                created += [digest] if digest else []
    return created


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 ... minutes after the n-th failed attempt, at most an hour."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def digest_send(digest_id: int, *, now: datetime | None = None) -> bool:
    """Send one pending digest whose time has come; True when this call sent it. Claimed with a
    conditional update, so a second caller (another worker, the sweep) changes nothing."""
    from django.db.models import F

    now = now or timezone.now()
    claimed = Digest.objects.filter(pk=digest_id, status=Digest.Status.PENDING, next_attempt_at__lte=now).update(
        status=Digest.Status.SENDING, claimed_until=now + SEND_LEASE, attempts=F("attempts") + 1,
    )
    if not claimed:
        return False
    digest = Digest.objects.select_related("user").get(pk=digest_id)
    items = list(digest.notifications.select_related("project").order_by("created_at"))
    if not digest.user.email or not items:
        Digest.objects.filter(pk=digest_id, status=Digest.Status.SENDING).update(
            status=Digest.Status.SKIPPED, last_error="no email address" if items else "nothing to send")
        return False
    try:
        sent = _message(digest, items).send()
    except Exception as error:  # the mail server: retried with backoff, nothing lost
        Digest.objects.filter(pk=digest_id, status=Digest.Status.SENDING).update(
            status=Digest.Status.PENDING, next_attempt_at=now + backoff(digest.attempts), last_error=f"{type(error).__name__}: {error}"[:500],
        )
        logger.warning("digest %s to user %s failed (attempt %s): %s", digest_id, digest.user_id, digest.attempts, error)
        return False
    if not sent:  # the backend sends nothing (EMAIL_URL unset on a shared deployment): not a failure to retry
        Digest.objects.filter(pk=digest_id).update(status=Digest.Status.SKIPPED, last_error="mail is not configured (EMAIL_URL)")
        return False
    Digest.objects.filter(pk=digest_id).update(status=Digest.Status.SENT, sent_at=timezone.now(), claimed_until=None, last_error="")
    return True


def digests_due(*, now: datetime | None = None) -> list[int]:
    """Pending digests whose time has come; sends left `sending` past their lease go back to pending."""
    now = now or timezone.now()
    Digest.objects.filter(status=Digest.Status.SENDING, claimed_until__lt=now).update(status=Digest.Status.PENDING)
    return list(Digest.objects.filter(status=Digest.Status.PENDING, next_attempt_at__lte=now).order_by("next_attempt_at").values_list("pk", flat=True)[:500])


def digests_run(*, now: datetime | None = None) -> int:
    """The scheduler's pass: open the digests whose period came, send every pending one. Returns how many were sent here."""
    now = now or timezone.now()
    digests_open(now=now)
    return sum(digest_send(digest_id, now=now) for digest_id in digests_due(now=now))


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _message(digest: Digest, items: list[Notification]) -> EmailMultiAlternatives:
    """One message: one template for the plain text, one for HTML; every event type it holds has
    its unsubscribe link, and the first (the only one, for an immediate email) goes in List-Unsubscribe."""
    user = digest.user
    tz = zoneinfo.ZoneInfo(settings_for(user).time_zone)
    events = list(dict.fromkeys(item.event for item in items))
    unsubscribe_links = {event: absolute(reverse("notification-unsubscribe", args=[unsubscribe_token(user, event)])) for event in events}
    rows = [{"text": item.text, "url": absolute(item.url), "project": item.project.name if item.project else "",
             "when": timezone.localtime(item.created_at, tz), "event": Event(item.event).label} for item in items]
    if digest.period == IMMEDIATE:
        subject = items[0].text
    else:
        subject = f"{'Daily' if digest.period == DAILY else 'Hourly'} digest: {len(items)} update{'s' if len(items) != 1 else ''}"
    context = {
        "user": user, "rows": rows, "period": digest.period, "subject": subject, "settings_url": absolute(reverse("notification-settings")),
        "unsubscribe": [{"label": Event(event).label, "url": unsubscribe_links[event]} for event in events],
        "notifications_url": absolute(reverse("notifications")),
    }
    message = EmailMultiAlternatives(
        subject=subject[:200], body=render_to_string("workflow/email.txt", context), to=[user.email],
        headers={"List-Unsubscribe": f"<{unsubscribe_links[events[0]]}>", "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
    message.attach_alternative(render_to_string("workflow/email.html", context), "text/html")
    return message


# --- reading and marking ------------------------------------------------------------------------


def unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the person's own notifications read (all unread ones without ids)."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())


def unread_filter() -> Q:
    return Q(read_at__isnull=True)
