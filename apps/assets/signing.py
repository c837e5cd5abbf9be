"""Who signs Content Credentials: the certificate and key from settings, or a development pair
(made by apps.core.dev_certificate, which the emulator uses too)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import c2pa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from apps.core.dev_certificate import (  # noqa: F401 (DEVELOPMENT_ORGANIZATION and the maker are read from here too)
    DEVELOPMENT_CHAIN_FILE, DEVELOPMENT_KEY_FILE, DEVELOPMENT_ORGANIZATION, development_certificate_make,
)


@dataclass(frozen=True)
class SigningCredentials:
    chain_pem: str
    key_pem: str
    alg: str
    timestamp_url: str

    @property
    def fingerprint(self) -> str:
        """Changes when the certificate, algorithm or timestamping changes, so cached copies are remade."""
        return hashlib.sha256(f"{self.chain_pem}|{self.alg}|{self.timestamp_url}".encode()).hexdigest()


def _pem(value: str, setting: str) -> str:
    """A setting holds PEM text or the path of a PEM file."""
    if value.lstrip().startswith("-----BEGIN"):
        return value
    path = Path(value)
    if not path.is_file():
        raise ImproperlyConfigured(f"{setting} is neither PEM text nor a readable file: {value!r}.")
    return path.read_text()


def signing_credentials() -> SigningCredentials:
    cert, key = settings.C2PA_SIGNING_CERT, settings.C2PA_SIGNING_KEY
    if bool(cert) != bool(key):
        raise ImproperlyConfigured("Set both C2PA_SIGNING_CERT and C2PA_SIGNING_KEY, or neither (development certificate).")
    if not cert:
        directory = Path(settings.C2PA_DEV_DIR)
        cert, key = str(directory / DEVELOPMENT_CHAIN_FILE), str(directory / DEVELOPMENT_KEY_FILE)
        if not Path(cert).is_file():
            raise ImproperlyConfigured(
                f"No Content Credentials signing certificate is configured. Set C2PA_SIGNING_CERT and C2PA_SIGNING_KEY "
                f"(PEM text or file paths) for every web and worker process, or run `python manage.py c2pa_dev_certificate` "
                f"to make a development one in {directory} (readers show it as untrusted)."
            )
    return SigningCredentials(
        chain_pem=_pem(cert, "C2PA_SIGNING_CERT"), key_pem=_pem(key, "C2PA_SIGNING_KEY"),
        alg=settings.C2PA_SIGNING_ALG, timestamp_url=settings.C2PA_TIMESTAMP_URL,
    )


def unavailable_reason() -> str | None:
    """Why nothing can sign here now (the operator's next step included), or None."""
    try:
        signing_credentials()
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def signer_from(credentials: SigningCredentials) -> c2pa.Signer:
    info = c2pa.C2paSignerInfo(
        credentials.alg.lower(), credentials.chain_pem.encode(), credentials.key_pem.encode(), credentials.timestamp_url or None
    )
    return c2pa.Signer.from_info(info)


def building_context() -> c2pa.Context:
    """The SDK's own thumbnails decode the whole image (seconds at 4K); manifests carry the
    thumbnails the platform already made instead."""
    return c2pa.Context.from_dict({"builder": {"thumbnail": {"enabled": False}}})


def reading_context() -> c2pa.Context:
    """Readers check trust against the configured anchors; without any, every signer is untrusted."""
    config = {"verify": {"verify_trust": True}}
    if settings.C2PA_TRUST_ANCHORS:
        config["trust"] = {"trust_anchors": _pem(settings.C2PA_TRUST_ANCHORS, "C2PA_TRUST_ANCHORS")}
    return c2pa.Context.from_dict(config)
