"""Where a webhook may go. A URL is resolved once per attempt and the delivery connects to the
address that passed the check, so a DNS answer that changes between check and connect
(rebinding) cannot reach loopback or private addresses."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

NAT64 = ipaddress.ip_network("64:ff9b::/96")  # RFC 6052: the last 32 bits are an IPv4 address


class Refused(Exception):
    """The destination is not allowed; the message says why, for the endpoint's owner."""


@dataclass(frozen=True)
class Destination:
    scheme: str
    hostname: str
    port: int
    path: str  # with its query string
    address: str  # the checked IP the delivery connects to

    @property
    def host_header(self) -> str:
        default = 443 if self.scheme == "https" else 80
        host = f"[{self.hostname}]" if ":" in self.hostname else self.hostname
        return host if self.port == default else f"{host}:{self.port}"


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 form carries (mapped, NAT64, 6to4, Teredo client), if any."""
    if ip.ipv4_mapped:
        return ip.ipv4_mapped
    if ip in NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour:
        return ip.sixtofour
    if ip.teredo:
        return ip.teredo[1]
    return None


def address_refusal(address: str) -> str | None:
    """Why the platform will not connect to `address`, or None. Only public addresses pass;
    WEBHOOK_TEST_ALLOW_LOOPBACK (for test receivers) lets a literal loopback address through,
    never a private one and never loopback hidden in an IPv6 form."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if settings.WEBHOOK_TEST_ALLOW_LOOPBACK and ip.is_loopback:
        return None
    embedded = _embedded_ipv4(ip) if ip.version == 6 else None
    for candidate in (ip, embedded):
        if candidate is not None and not candidate.is_global:
            shown = f"{ip} (which carries {candidate})" if candidate is not ip else str(ip)
            return f"{shown} is a private or internal address"
    return None


def destination_for(url: str) -> Destination:
    """Resolve `url` once and check every address it resolves to; raise Refused otherwise."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("Use an http:// or https:// URL with a host name.")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise Refused(f"The port in {url!r} is not a number between 0 and 65535.")
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise Refused(f"The host {parts.hostname!r} does not resolve.")
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        refusal = address_refusal(address)
        if refusal:
            resolved = "" if address == parts.hostname else f"{parts.hostname} resolves to {address}, and "
            raise Refused(f"{resolved}{refusal}; webhooks may only go to public addresses.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Destination(scheme=parts.scheme, hostname=parts.hostname, port=port, path=path, address=addresses[0])
