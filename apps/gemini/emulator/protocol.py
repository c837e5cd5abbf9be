"""The Gemini API emulator's wire protocol: the error shape, field names in either case, base64
as the API takes it, thought signatures (made and checked) and a part as the request log keeps it.
The generation (generation.py), the Batch API (batches.py) and the HTTP server (server.py) build on
it; it imports none of them."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import re

from PIL import Image

CAMEL = re.compile(r"(?<!^)(?=[A-Z])")
# Fixed, so threads stored against one emulator run still verify after it restarts.
SIGNING_KEY = b"gemini-emulator thought signatures"
SIGNATURE_HELP = "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."


class EmulatedError(Exception):
    def __init__(self, http_status: int, status: str, message: str, retry_delay: float | None = None):
        super().__init__(message)
        self.http_status = http_status
        self.status = status
        self.message = message
        self.retry_delay = retry_delay

    def body(self) -> dict:
        error = {"code": self.http_status, "message": self.message, "status": self.status}
        if self.retry_delay is not None:
            error["details"] = [
                {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": f"{self.retry_delay:g}s"}
            ]
        return {"error": error}


def invalid(message: str) -> EmulatedError:
    return EmulatedError(400, "INVALID_ARGUMENT", message)


def snake_keys(value):
    """The real API accepts camelCase and snake_case field names alike; so does the emulator."""
    if isinstance(value, dict):
        return {CAMEL.sub("_", k).lower(): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value


def decode_base64(data: str) -> bytes:
    """Bytes may come as standard or URL-safe base64, padded or not."""
    padded = data + "=" * (-len(data) % 4)
    return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)


def signature_for(model_id: str, content: bytes, *, digest: bytes | None = None) -> bytes:
    """What the emulator signs a part with: only it can make one, and only for that model and content
    (`digest`: the content's sha256, when already known)."""
    digest = digest or hashlib.sha256(content).digest()
    return hmac.new(SIGNING_KEY, model_id.encode() + b"\0" + digest, hashlib.sha256).digest()


def part_summary(part: dict, content: bytes | None = None, *, digest: bytes | None = None) -> dict:
    """A part as the log keeps it: full text or the image's sha256, thought flag, signature (standard base64)."""
    if "inline_data" in part:
        summary = {"image": (digest or hashlib.sha256(content).digest()).hex()}
    else:
        summary = {"text": part.get("text", "")}
    if part.get("thought"):
        summary["thought"] = True
    if part.get("thought_signature"):
        try:
            summary["signature"] = base64.b64encode(decode_base64(part["thought_signature"])).decode()
        except (binascii.Error, ValueError):
            summary["signature"] = part["thought_signature"]
    return summary


def decode_image(data: str) -> tuple[Image.Image, bytes]:
    try:
        raw = decode_base64(data)
        image = Image.open(io.BytesIO(raw))
        image.load()
        return image, raw
    except (binascii.Error, ValueError, OSError) as exc:
        raise invalid(f"Unable to process input image: {exc}") from exc
