"""Who signs Content Credentials: the certificate and key from settings, or a development pair.

C2PA readers refuse a signer certificate without Subject and Authority Key Identifiers or without
a suitable extended key usage, so the development pair has both (emailProtection is accepted)."""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from pathlib import Path

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DEVELOPMENT_ORGANIZATION = "Brand image platform (development)"
DEVELOPMENT_CHAIN_FILE = "signer-chain.pem"
DEVELOPMENT_KEY_FILE = "signer-key.pem"
DEVELOPMENT_CA_FILE = "ca.pem"


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


def _name(common_name: str) -> x509.Name:
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, DEVELOPMENT_ORGANIZATION),
    ])


def _key_usage(*, signer: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signer, content_commitment=False, key_encipherment=False, data_encipherment=False,
        key_agreement=False, key_cert_sign=not signer, crl_sign=not signer, encipher_only=False, decipher_only=False,
    )


def development_certificate_make(directory: Path) -> bool:
    """Make a development CA and an ES256 signer under `directory` once; False when they exist."""
    directory = Path(directory)
    if (directory / DEVELOPMENT_CHAIN_FILE).exists() and (directory / DEVELOPMENT_KEY_FILE).exists():
        return False
    directory.mkdir(parents=True, exist_ok=True)
    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder().subject_name(_name("Brand image platform development CA")).issuer_name(_name("Brand image platform development CA"))
        .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(signer=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    signer = (
        x509.CertificateBuilder().subject_name(_name("Brand image platform development signer")).issuer_name(ca.subject)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=825))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(signer=True), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = serialization.Encoding.PEM
    (directory / DEVELOPMENT_CA_FILE).write_bytes(ca.public_bytes(pem))
    (directory / DEVELOPMENT_CHAIN_FILE).write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))
    key_file = directory / DEVELOPMENT_KEY_FILE
    key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    key_file.chmod(0o600)
    return True
