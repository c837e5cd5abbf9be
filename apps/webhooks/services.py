"""Webhooks: signed JSON deliveries from Celery, retried with backoff, every attempt logged.
A slow or failing receiver never blocks or fails the job that raised the event."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import time
from urllib.parse import urlparse

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from apps.core.backoff import backoff_delay
from apps.core.exceptions import ValidationFailed
from apps.webhooks.models import (
    EVENTS,
    DeliveryAttempt,
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
)

SIGNATURE_HEADER = "X-Webhook-Signature"
TIMESTAMP_HEADER = "X-Webhook-Timestamp"


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SHA256 over `timestamp.body`; receivers recompute it and compare in constant time."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def url_refusal(url: str) -> str | None:
    """Why the platform will not post to `url`, or None. Private, loopback and link-local
    addresses are refused unless WEBHOOK_ALLOW_PRIVATE_ADDRESSES is set (tests allow loopback)."""
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        return "Use an http:// or https:// URL with a host name."
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return None
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(parsed.hostname, parsed.port or 443, proto=socket.IPPROTO_TCP)}
    except socket.gaierror:
        return f"The host {parsed.hostname!r} does not resolve."
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if not ip.is_global:
            return f"{parsed.hostname} resolves to {ip}, a private or internal address; webhooks may only go to public addresses."
    return None


def endpoint_create(*, project, url: str, events: list[str], secret: str = "") -> WebhookEndpoint:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationFailed(f"Choose events among: {', '.join(EVENTS)}.", field="events", details={"allowed": list(EVENTS)})
    refusal = url_refusal(url)
    if refusal:
        raise ValidationFailed(refusal, field="url")
    endpoint = WebhookEndpoint(project=project, url=url, events=sorted(set(events)))
    if secret:
        endpoint.secret = secret
    endpoint.save()
    return endpoint


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    endpoint.delete()


def event_emit(*, project, event: str, data: dict) -> list[WebhookDelivery]:
    """Record one delivery per subscribed endpoint; they go out after the caller's transaction commits."""
    deliveries = []
    for endpoint in project.webhook_endpoints.filter(is_active=True):
        if event not in endpoint.events:
            continue
        delivery = WebhookDelivery(endpoint=endpoint, event=event, payload={})
        delivery.payload = {"id": str(delivery.pk), "event": event, "created_at": timezone.now().isoformat(), "project": str(project.pk), "data": data}
        delivery.save()
        deliveries.append(delivery)
        _enqueue(delivery.pk)
    return deliveries


def _enqueue(delivery_id, countdown: float | None = None) -> None:
    from apps.webhooks.tasks import deliver_webhook  # tasks imports this module

    transaction.on_commit(lambda: deliver_webhook.apply_async(args=[str(delivery_id)], countdown=countdown))


def delivery_attempt(*, delivery_id) -> None:
    delivery = WebhookDelivery.objects.select_related("endpoint").filter(pk=delivery_id, status=DeliveryStatus.PENDING).first()
    if delivery is None:  # delivered already, or removed with its endpoint
        return
    WebhookDelivery.objects.filter(pk=delivery.pk).update(attempts=F("attempts") + 1)
    attempt_number = delivery.attempts + 1
    body = json.dumps(delivery.payload, cls=DjangoJSONEncoder, separators=(",", ":")).encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "brand-image-platform-webhooks/1",
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Delivery": str(delivery.pk),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(delivery.endpoint.secret, timestamp, body),
    }
    started = time.monotonic()
    code, error = None, ""
    refusal = url_refusal(delivery.endpoint.url)  # checked again: DNS may have changed since registration
    if refusal:
        error = refusal
    else:
        try:
            response = requests.post(delivery.endpoint.url, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS, allow_redirects=False)
            code = response.status_code
            if not 200 <= code < 300:
                error = f"Receiver answered {code}."
        except requests.RequestException as exc:
            error = f"{exc.__class__.__name__}: {exc}"[:1000]
    DeliveryAttempt.objects.create(delivery=delivery, response_code=code, duration_ms=int((time.monotonic() - started) * 1000), error=error)

    if not error:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.SUCCEEDED, delivered_at=timezone.now())
    elif attempt_number >= settings.WEBHOOK_MAX_ATTEMPTS:
        WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.FAILED)
    else:
        delay = backoff_delay(attempt_number, base=settings.WEBHOOK_RETRY_BASE_SECONDS, cap=settings.WEBHOOK_RETRY_MAX_SECONDS)
        _enqueue(delivery.pk, countdown=delay)


def delivery_redeliver(*, delivery: WebhookDelivery) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=DeliveryStatus.PENDING, attempts=0, delivered_at=None)
    _enqueue(delivery.pk)
