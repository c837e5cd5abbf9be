"""Batch API delivery: many image requests in one upstream batch, at the catalogue's batch price.

Requests are built exactly as interactive calls build them (`gateway.build_contents` and
`build_config`) and answers parsed by the same `gateway.parse_response`, so a batch result is
stored like an interactive one. Each request carries a key the caller chose; results come back
keyed. Creating a batch is not idempotent upstream, so callers look a batch up by its display
name (`batch_find`) before creating one again. Batch requests never pass the interactive rate
limiter: they do not count against the requests-per-minute quota.
"""

from __future__ import annotations

import io
import json
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.conf import settings
from google.genai import _common, types
from google.genai import batches as genai_batches
from google.genai import errors as genai_errors

from apps.gemini import catalogue
from apps.gemini.gateway import (
    GatewayError,
    ImageRequest,
    ImageResult,
    build_config,
    build_contents,
    map_api_error,
    parse_response,
)
from apps.gemini.sdk import client, enum_name, http

FINAL_STATES = {"JOB_STATE_SUCCEEDED", "JOB_STATE_FAILED", "JOB_STATE_CANCELLED", "JOB_STATE_EXPIRED"}
VERTEX_REFUSAL = (
    "Batch delivery needs the Gemini Developer API (an API key); on Vertex AI the Batch API reads its input from "
    "Cloud Storage or BigQuery, which this platform does not set up. Use delivery 'interactive'."
)


@dataclass(frozen=True)
class BatchItem:
    key: str  # comes back with the request's result
    request: ImageRequest


@dataclass
class BatchOutcome:
    """An upstream batch as last read. `results` (key -> result or the request's own error) is
    filled only once the batch has succeeded."""

    name: str
    state: str
    results: dict[str, ImageResult | GatewayError] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.state in FINAL_STATES


def batch_unavailable_reason() -> str | None:
    """Why batch delivery cannot be used with the configured upstream, or None when it can."""
    return VERTEX_REFUSAL if client().vertexai else None


@contextmanager
def _upstream_errors():
    """The SDK's errors as GatewayError, mapped like interactive calls."""
    try:
        yield
    except genai_errors.APIError as exc:
        raise map_api_error(exc) from exc
    except http.TimeoutException as exc:
        raise GatewayError("timeout", f"The Batch API did not answer within {settings.GEMINI_TIMEOUT_MS / 1000:g} s.", retryable=True) from exc
    except http.TransportError as exc:
        raise GatewayError("upstream_unavailable", f"Could not reach the Batch API: {exc.__class__.__name__}: {exc}", retryable=True) from exc


def _inlined(model_id: str, item: BatchItem) -> types.InlinedRequest:
    return types.InlinedRequest(
        model=model_id,
        contents=build_contents(item.request),
        config=build_config(item.request),
        metadata={"key": item.key},
    )


def _rest_request(model_id: str, item: BatchItem) -> dict:
    """The request as the REST API reads it (a JSONL line's `request`), converted by the SDK's own
    mapping so it matches what an inlined create would send byte for byte."""
    converted = genai_batches._InlinedRequest_to_mldev(client()._api_client, _inlined(model_id, item))
    return _common.encode_unserializable_types(_common.convert_to_dict(converted))["request"]


def _inline_limit() -> int:
    configured = settings.GEMINI_BATCH_INLINE_LIMIT_BYTES
    return min(configured, catalogue.BATCH_INLINE_LIMIT_BYTES) if configured else catalogue.BATCH_INLINE_LIMIT_BYTES


def batch_find(*, display_name: str) -> BatchOutcome | None:
    """The upstream batch with this display name, if one was created (newest first)."""
    if batch_unavailable_reason():
        raise GatewayError("batch_unsupported", VERTEX_REFUSAL)
    with _upstream_errors():
        for batch in client().batches.list(config=types.ListBatchJobsConfig(page_size=100)):
            if batch.display_name == display_name:
                return BatchOutcome(name=batch.name, state=enum_name(batch.state))
    return None


def batch_submit(*, display_name: str, model_id: str, items: list[BatchItem]) -> BatchOutcome:
    """Create one upstream batch: inlined while the create call stays under the inline limit,
    else a JSONL file uploaded through the Files API first. Not idempotent: see `batch_find`."""
    if batch_unavailable_reason():
        raise GatewayError("batch_unsupported", VERTEX_REFUSAL)
    lines = [json.dumps({"key": item.key, "request": _rest_request(model_id, item)}) for item in items]
    config = types.CreateBatchJobConfig(display_name=display_name)
    with _upstream_errors():
        if sum(len(line) for line in lines) < _inline_limit():
            src = types.BatchJobSource(inlined_requests=[_inlined(model_id, item) for item in items])
        else:
            uploaded = client().files.upload(
                file=io.BytesIO("\n".join(lines).encode()),
                config=types.UploadFileConfig(mime_type="jsonl", display_name=display_name),
            )
            src = types.BatchJobSource(file_name=uploaded.name)
        batch = client().batches.create(model=model_id, src=src, config=config)
    return BatchOutcome(name=batch.name, state=enum_name(batch.state))


def batch_check(*, name: str) -> BatchOutcome:
    """Read a batch's state; once it has succeeded, fetch and parse every request's result."""
    with _upstream_errors():
        batch = client().batches.get(name=name)
        outcome = BatchOutcome(name=batch.name, state=enum_name(batch.state))
        if outcome.state != "JOB_STATE_SUCCEEDED" or batch.dest is None:
            return outcome
        if batch.dest.file_name:
            data = client().files.download(file=batch.dest.file_name)
            for line in data.decode().splitlines():
                if line.strip():
                    item = json.loads(line)
                    outcome.results[str(item.get("key"))] = _result(
                        name,
                        types.GenerateContentResponse.model_validate_json(json.dumps(item["response"])) if "response" in item else None,
                        item.get("error"),
                    )
        for inlined in batch.dest.inlined_responses or []:
            key = (inlined.metadata or {}).get("key", "")
            error = inlined.error.model_dump(exclude_none=True) if inlined.error else None
            outcome.results[key] = _result(name, inlined.response, error)
    return outcome


def _result(batch_name: str, response: types.GenerateContentResponse | None, error: dict | None) -> ImageResult | GatewayError:
    """One request's answer, parsed like an interactive call, or its own failure with upstream's reason."""
    if error or response is None:
        error = error or {}
        return GatewayError(
            "batch_request_failed",
            f"The model rejected this request in batch {batch_name}: {error.get('message') or 'no reason given'}"
            + (f" (code {error['code']})" if error.get("code") is not None else ""),
        )
    try:
        return parse_response(response)
    except GatewayError as exc:
        return exc


def batch_cancel(*, name: str) -> None:
    """Ask upstream to stop a batch; one that already ended stays as it was."""
    with _upstream_errors():
        client().batches.cancel(name=name)
