"""What Google does on some surfaces: the image comes back carrying C2PA Content Credentials.
The emulator signs them with a throw-away development certificate of its own."""

from __future__ import annotations

import functools
import io
import tempfile
from pathlib import Path

import c2pa

TRAINED_ALGORITHMIC_MEDIA = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"


@functools.cache
def _signer_pem() -> tuple[bytes, bytes]:
    from apps.core.dev_certificate import DEVELOPMENT_CHAIN_FILE, DEVELOPMENT_KEY_FILE, development_certificate_make

    directory = Path(tempfile.mkdtemp(prefix="emulator-c2pa-"))
    development_certificate_make(directory)
    return (directory / DEVELOPMENT_CHAIN_FILE).read_bytes(), (directory / DEVELOPMENT_KEY_FILE).read_bytes()


def with_content_credentials(png: bytes, model_id: str) -> bytes:
    chain, key = _signer_pem()
    builder = c2pa.Builder({
        "claim_generator_info": [{"name": "Gemini API emulator", "version": "1"}],
        "title": "output.png",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created", "digitalSourceType": TRAINED_ALGORITHMIC_MEDIA, "softwareAgent": {"name": model_id}},
        ]}}],
    })
    signed = io.BytesIO()
    with c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key, None)) as signer:
        builder.sign(signer, "image/png", io.BytesIO(png), signed)
    return signed.getvalue()
