"""The SDK client and the small SDK helpers both the interactive gateway and the Batch API use."""

from __future__ import annotations

import os
import threading

from django.conf import settings
from google import genai
from google.genai import types

try:  # the SDK's HTTP client: httpx2 in SDK 3.x, httpx before
    import httpx2 as http
except ImportError:  # pragma: no cover
    import httpx as http

__all__ = ["client", "enum_name", "http"]

_clients: dict[tuple, genai.Client] = {}
_clients_lock = threading.Lock()


def client() -> genai.Client:
    """One client per process and environment; the SDK's HTTP pool is reused across jobs."""
    key = tuple(
        os.environ.get(name)
        for name in (
            "GEMINI_API_KEY", "GOOGLE_API_KEY", "GOOGLE_GENAI_USE_VERTEXAI", "GOOGLE_CLOUD_PROJECT",
            "GOOGLE_CLOUD_LOCATION", "GOOGLE_GEMINI_BASE_URL",
        )
    ) + (settings.GEMINI_TIMEOUT_MS,)
    with _clients_lock:
        found = _clients.get(key)
        if found is None:
            found = genai.Client(http_options=types.HttpOptions(timeout=settings.GEMINI_TIMEOUT_MS))
            _clients[key] = found
        return found


def enum_name(value) -> str:
    """An SDK enum's wire name ("" for none)."""
    return getattr(value, "value", None) or (str(value) if value else "")
