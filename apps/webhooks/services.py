"""Webhooks: Standard Webhooks-signed JSON deliveries that are rows first. Emitting writes a
pending row in the caller's transaction; a worker claims it and posts it; a failure sets the next
attempt time and the periodic sweep posts it again then. A lost message or a killed worker loses
nothing, and a slow or failing receiver never blocks or fails the job that raised the event."""

from __future__ import annotations

import base64
import binascii
import json
import time
from datetime import datetime, timedelta

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from apps.audit.models import AuditAction
from apps.audit.services import audit_record
from apps.core.backoff import backoff_delay
from apps.core.exceptions import ValidationFailed
from apps.core.tasks import send, send_on_commit
from apps.webhooks import transport
from apps.webhooks.events import EVENTS
from apps.webhooks.models import SECRET_PREFIX, DeliveryAttempt, DeliveryStatus, WebhookDelivery, WebhookEndpoint
from apps.webhooks.safety import Refused, destination_for

SECRET_BYTES = (24, 64)  # Standard Webhooks asks for 24 to 64 random bytes
SWEEP_BATCH = 500


def secret_refusal(secret: str) -> str | None:
    """Why `secret` is not a usable Standard Webhooks secret, or None."""
    if not secret.startswith(SECRET_PREFIX):
        return f"A secret starts with {SECRET_PREFIX!r} followed by base64; omit it to have one generated."
    try:
        key = base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        return "The part after 'whsec_' must be standard base64."
    low, high = SECRET_BYTES
    if not low <= len(key) <= high:
        return f"The secret must carry {low} to {high} bytes; it carries {len(key)}."
    return None


def signing_secrets(endpoint: WebhookEndpoint, *, now: datetime | None = None) -> list[str]:
    """The secrets that sign a delivery now: the current one, and the previous one during its grace period."""
    now = now or timezone.now()
    secrets = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_secret_expires_at and endpoint.previous_secret_expires_at > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def signed_headers(*, endpoint: WebhookEndpoint, message_id: str, body: str, when: datetime) -> dict[str, str]:
    """`webhook-id`, `webhook-timestamp` and `webhook-signature` (one `v1,...` per valid secret)."""
    signatures = [Webhook(secret).sign(msg_id=message_id, timestamp=when, data=body) for secret in signing_secrets(endpoint, now=when)]
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": " ".join(signatures),
    }


@transaction.atomic
def endpoint_create(*, project, url: str, events: list[str], secret: str = "", actor=None) -> WebhookEndpoint:
    _endpoint_checks(url=url, events=events)
    if secret and (refusal := secret_refusal(secret)):
        raise ValidationFailed(refusal, field="secret")
    endpoint = WebhookEndpoint(project=project, url=url, events=sorted(set(events)))
    if secret:
        endpoint.secret = secret
    endpoint.save()
    audit_record(project=project, actor=actor, action=AuditAction.WEBHOOK_CREATED, target=url, after={"url": url, "events": endpoint.events})
    return endpoint


@transaction.atomic
def endpoint_secret_rotate(*, endpoint: WebhookEndpoint, grace_seconds: int, secret: str = "", actor=None) -> WebhookEndpoint:
    """A new signing secret; the old one keeps signing for `grace_seconds` so receivers switch
    without a gap. Audited with who rotated it and the grace (never a secret)."""
    if secret and (refusal := secret_refusal(secret)):
        raise ValidationFailed(refusal, field="secret")
    from apps.webhooks.models import new_secret

    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(seconds=grace_seconds)
    endpoint.secret = secret or new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    audit_record(
        project=endpoint.project, actor=actor, action=AuditAction.WEBHOOK_SECRET_ROTATED, target=endpoint.url,
        after={"grace_seconds": grace_seconds, "chosen_by_caller": bool(secret)},
    )
    return endpoint


def _endpoint_checks(*, url: str, events: list[str]) -> None:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationFailed(f"Choose events among: {', '.join(EVENTS)}.", field="events", details={"allowed": list(EVENTS)})
    try:
        destination_for(url)
    except Refused as refusal:
        raise ValidationFailed(str(refusal), field="url")


@transaction.atomic
def endpoint_update(*, endpoint: WebhookEndpoint, actor=None, **fields) -> WebhookEndpoint:
    """Change an endpoint's url, events or is_active (the admin's form): the same checks as
    creating one, so no URL pointing at a private or metadata address is ever stored; audited."""
    url, events = fields.get("url", endpoint.url), fields.get("events", endpoint.events)
    _endpoint_checks(url=url, events=events)
    before = {name: getattr(WebhookEndpoint.objects.get(pk=endpoint.pk), name) for name in fields}
    for name, value in fields.items():
        setattr(endpoint, name, sorted(set(value)) if name == "events" else value)
    endpoint.save(update_fields=list(fields))
    changed = [name for name in fields if before[name] != getattr(endpoint, name)]
    if changed:
        audit_record(
            project=endpoint.project, actor=actor, action=AuditAction.WEBHOOK_CHANGED, target=endpoint.url,
            before={name: before[name] for name in changed}, after={name: getattr(endpoint, name) for name in changed},
        )
    return endpoint


@transaction.atomic
def endpoint_delete(*, endpoint: WebhookEndpoint, actor=None) -> None:
    endpoint.delete()
    audit_record(
        project=endpoint.project, actor=actor, action=AuditAction.WEBHOOK_DELETED, target=endpoint.url,
        before={"url": endpoint.url, "events": endpoint.events},
    )


def event_emit(*, project, event: str, data: dict, dedupe_key: str = "") -> list[WebhookDelivery]:
    """Record one pending delivery per subscribed endpoint; they go out after the caller's
    transaction commits. With a `dedupe_key`, an endpoint that already has a delivery under that
    key gets none more (the existing row keeps its `webhook-id`); returns only the new rows."""
    if event not in EVENTS:
        raise ValueError(f"Unknown webhook event {event!r}; add it to apps.webhooks.events.EVENT_DATA.")
    now = timezone.now()
    payload = {"type": event, "timestamp": now.isoformat(), "project": str(project.pk), "data": data}
    rows = [
        WebhookDelivery(endpoint=endpoint, event=event, payload=payload, next_attempt_at=now, dedupe_key=dedupe_key)
        for endpoint in project.webhook_endpoints.filter(is_active=True)
        if event in endpoint.events
    ]
    # One INSERT; a row under a key its endpoint already has is skipped (a conflict on the
    # partial unique index, so two racing senders still leave one row).
    WebhookDelivery.objects.bulk_create(rows, ignore_conflicts=True)
    deliveries = list(WebhookDelivery.objects.filter(pk__in=[row.pk for row in rows])) if dedupe_key else rows
    for delivery in deliveries:
        _enqueue(delivery.pk)
    return deliveries


def _enqueue(delivery_id) -> None:
    """The fast path; if this message is lost the sweep still finds the row."""
    send_on_commit("webhooks.deliver", [str(delivery_id)])


def _claim(delivery_id) -> WebhookDelivery | None:
    """Take a due delivery for one attempt (pending, due -> pending, leased). Two workers racing:
    one wins. A worker that dies mid-attempt leaves the lease to expire; the sweep then re-sends."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + 30)
    claimed = WebhookDelivery.objects.move(
        delivery_id, frm=DeliveryStatus.PENDING, to=DeliveryStatus.PENDING, where=Q(next_attempt_at__lte=now),
        attempts=F("attempts") + 1, next_attempt_at=lease,
    )
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def delivery_attempt(*, delivery_id) -> None:
    delivery = _claim(delivery_id)
    if delivery is None:  # delivered, failed for good, not due yet, taken by another worker, or removed
        return
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":"))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "brand-image-platform-webhooks/2",
        **signed_headers(endpoint=delivery.endpoint, message_id=f"msg_{delivery.pk.hex}", body=body, when=timezone.now()),
    }
    started = time.monotonic()
    try:
        destination = destination_for(delivery.endpoint.url)  # resolved again: DNS may have changed since registration
    except Refused as refusal:
        answer = transport.Answer(status=None, body=b"", error=str(refusal))
    else:
        answer = transport.post(
            destination, body.encode(), headers,
            total_seconds=settings.WEBHOOK_TIMEOUT_SECONDS, max_response_bytes=settings.WEBHOOK_MAX_RESPONSE_BYTES,
        )
    error = answer.error
    if answer.status is not None and not 200 <= answer.status < 300:
        error = f"Receiver answered {answer.status}: {answer.body[:200].decode(errors='replace')}".strip().rstrip(":")
    DeliveryAttempt.objects.create(delivery=delivery, response_code=answer.status, duration_ms=int((time.monotonic() - started) * 1000), error=error)

    move = WebhookDelivery.objects.move
    if not error:
        move(delivery.pk, frm=DeliveryStatus.PENDING, to=DeliveryStatus.SUCCEEDED, delivered_at=timezone.now(), next_attempt_at=None)
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        move(delivery.pk, frm=DeliveryStatus.PENDING, to=DeliveryStatus.FAILED, next_attempt_at=None)
    else:
        delay = backoff_delay(delivery.attempts, base=settings.WEBHOOK_RETRY_BASE_SECONDS, cap=settings.WEBHOOK_RETRY_MAX_SECONDS)
        move(delivery.pk, frm=DeliveryStatus.PENDING, to=DeliveryStatus.PENDING, next_attempt_at=timezone.now() + timedelta(seconds=delay))


def deliveries_due(*, limit: int = SWEEP_BATCH) -> list:
    return list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at").values_list("pk", flat=True)[:limit]
    )


def deliveries_sweep() -> int:
    """Announce every due delivery (retries, and first attempts whose message was lost)."""
    due = deliveries_due()
    for delivery_id in due:
        send("webhooks.deliver", [str(delivery_id)])
    return len(due)


def delivery_redeliver(*, delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.move(
        delivery.pk, frm=DeliveryStatus.values, to=DeliveryStatus.PENDING, attempts=0, delivered_at=None, next_attempt_at=timezone.now()
    )
    _enqueue(delivery.pk)


TEST_EVENT = "webhook.test"  # sent on an owner's request to one endpoint only; nobody subscribes to it


def endpoint_test_send(*, endpoint: WebhookEndpoint, actor=None) -> WebhookDelivery:
    """A signed `webhook.test` delivery to this endpoint alone, through the same rows, retries and
    log as real events, so the owner sees in its recent deliveries what the receiver answered."""
    now = timezone.now()
    payload = {"type": TEST_EVENT, "timestamp": now.isoformat(), "project": str(endpoint.project_id),
               "data": {"message": "A test delivery sent from the project's Webhooks page.",
                        "sent_by": actor.get_username() if actor is not None else None}}
    delivery = WebhookDelivery.objects.create(endpoint=endpoint, event=TEST_EVENT, payload=payload, next_attempt_at=now)
    _enqueue(delivery.pk)
    return delivery
