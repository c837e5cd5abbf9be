"""The one place that talks to google-genai: builds the call, parses the answer, maps errors.

The SDK reads its own environment (GEMINI_API_KEY / GOOGLE_API_KEY, GOOGLE_GENAI_USE_VERTEXAI,
GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_LOCATION, GOOGLE_GEMINI_BASE_URL); we pass nothing that would
override it. Retries are ours (the job layer), so the SDK is given no retry options.
"""

from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import dataclass, field

from django.conf import settings
from google.genai import errors as genai_errors
from google.genai import types

from apps.gemini import ratelimit
from apps.gemini.checks import ImageSettings
from apps.gemini.sdk import client, enum_name, http

logger = logging.getLogger(__name__)

BLOCKING_FINISH_REASONS = {
    "SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT",
    "BLOCKLIST", "SPII", "RECITATION", "IMAGE_RECITATION",
}


class GatewayError(Exception):
    """An upstream call failed. `retryable` says whether trying again can help."""

    def __init__(self, code: str, message: str, *, retryable: bool = False, retry_after: float | None = None):
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class InputImage:
    """An image sent with the prompt; `label` is the text placed right before it."""

    data: bytes
    mime_type: str
    label: str


@dataclass(frozen=True)
class TurnPart:
    """One part of a conversation turn exactly as the SDK models it, as JSON (snake_case names,
    bytes such as `thought_signature` in base64), with inline image bytes kept apart in `data`
    so they can live in file storage. Storing `fields` and the bytes gives back the same part."""

    fields: dict
    data: bytes | None = None

    @classmethod
    def text(cls, text: str) -> "TurnPart":
        return cls({"text": text})

    @classmethod
    def image(cls, data: bytes, mime_type: str) -> "TurnPart":
        return cls({"inline_data": {"mime_type": mime_type}}, data)

    @property
    def is_image(self) -> bool:
        return "inline_data" in self.fields


@dataclass(frozen=True)
class ChatTurn:
    """An earlier turn of a conversation: `user` or `model`, its parts in order."""

    role: str
    parts: tuple[TurnPart, ...]


@dataclass(frozen=True)
class ImageRequest:
    settings: ImageSettings
    prompt: str
    images: tuple[InputImage, ...] = ()
    system_instruction: str = ""
    history: tuple[ChatTurn, ...] = ()  # earlier turns, sent before this request's own user turn


@dataclass(frozen=True)
class OutputImage:
    data: bytes
    mime_type: str
    part_index: int = 0  # where in the model's turn (`ImageResult.parts`) this image came


@dataclass
class ImageResult:
    images: list[OutputImage]
    parts: list[TurnPart] = field(default_factory=list)  # the model's turn verbatim, thoughts included
    text: str = ""
    finish_reason: str = ""
    model_version: str = ""
    response_id: str = ""
    usage: dict = field(default_factory=dict)
    grounding: dict = field(default_factory=dict)


def sdk_part(part: TurnPart) -> types.Part:
    """A stored part back as the SDK's Part, byte for byte (signatures decoded from base64)."""
    fields = part.fields
    if part.data is not None:
        fields = {**fields, "inline_data": {**fields["inline_data"], "data": base64.urlsafe_b64encode(part.data).decode()}}
    return types.Part.model_validate_json(json.dumps(fields))


def turn_part(part: types.Part) -> TurnPart:
    # The image bytes are kept as they are: dumping them as JSON would base64 them (tens of ms at 4K) to throw away.
    fields = part.model_dump(mode="json", exclude_none=True, exclude={"inline_data": {"data"}})
    data = None
    if part.inline_data is not None and part.inline_data.data is not None:
        data = part.inline_data.data
    return TurnPart(fields, data)


def user_turn(request: ImageRequest) -> ChatTurn:
    """The request's own user turn: each input image after its label, then the prompt."""
    parts: list[TurnPart] = []
    for image in request.images:
        parts += [TurnPart.text(image.label), TurnPart.image(image.data, image.mime_type)]
    parts.append(TurnPart.text(request.prompt))
    return ChatTurn("user", tuple(parts))


def build_contents(request: ImageRequest) -> list[types.Content]:
    """The history's turns in order, then this request's user turn; consecutive turns of one role
    are sent as one (a thread that starts from a user-supplied image has no model turn before it)."""
    contents: list[types.Content] = []
    for turn in (*request.history, user_turn(request)):
        parts = [sdk_part(part) for part in turn.parts]
        if contents and contents[-1].role == turn.role:
            contents[-1].parts.extend(parts)
        else:
            contents.append(types.Content(role=turn.role, parts=parts))
    return contents


def build_config(request: ImageRequest) -> types.GenerateContentConfig:
    job = request.settings
    image_config = types.ImageConfig(aspect_ratio=job.aspect_ratio)
    if job.model.supports_size_choice:
        image_config.image_size = job.image_size
    config = types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"],
        image_config=image_config,
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
    )
    if job.thinking_level:
        config.thinking_config = types.ThinkingConfig(thinking_level=job.thinking_level.upper())
    if job.web_search or job.image_search:
        search_types = types.SearchTypes(
            web_search=types.WebSearch() if job.web_search else None,
            image_search=types.ImageSearch() if job.image_search else None,
        )
        config.tools = [types.Tool(google_search=types.GoogleSearch(search_types=search_types))]
    if request.system_instruction:
        config.system_instruction = request.system_instruction
    return config


def generate_image(request: ImageRequest, *, reserved_slot_at: float | None = None, max_wait: float | None = None) -> ImageResult:
    """One upstream call, in turn under the shared rate limit. Raises GatewayError; never returns
    a result without an image. A turn more than `max_wait` s away raises ratelimit.SlotLater (with
    the slot kept for the caller, who passes it back as `reserved_slot_at`)."""
    model_id = request.settings.model.model_id
    ratelimit.acquire(model_id, reserved_at=reserved_slot_at, max_wait=max_wait)
    try:
        response = client().models.generate_content(
            model=model_id,
            contents=build_contents(request),
            config=build_config(request),
        )
    except genai_errors.APIError as exc:
        error = map_api_error(exc)
        if error.code == "rate_limited":
            ratelimit.slow_down(model_id, error.retry_after)
        raise error from exc
    except http.TimeoutException as exc:
        raise GatewayError("timeout", f"The model did not answer within {settings.GEMINI_TIMEOUT_MS / 1000:g} s.", retryable=True) from exc
    except http.TransportError as exc:
        raise GatewayError("upstream_unavailable", f"Could not reach the model: {exc.__class__.__name__}: {exc}", retryable=True) from exc
    return parse_response(response)


_RETRY_DELAY = re.compile(r"^([\d.]+)s$")


def _retry_delay(exc: genai_errors.APIError) -> float | None:
    details = (exc.details or {}).get("error", {}).get("details") or []
    for detail in details:
        if str(detail.get("@type", "")).endswith("RetryInfo"):
            match = _RETRY_DELAY.match(str(detail.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    response = getattr(exc, "response", None)
    header = getattr(response, "headers", {}).get("retry-after") if response is not None else None
    try:
        return float(header) if header else None
    except ValueError:
        return None


def map_api_error(exc: genai_errors.APIError) -> GatewayError:
    message = exc.message or str(exc)
    if exc.code == 429:
        return GatewayError("rate_limited", f"The model is rate limited: {message}", retryable=True, retry_after=_retry_delay(exc))
    if exc.code in (408, 504):
        return GatewayError("timeout", f"The model timed out: {message}", retryable=True)
    if exc.code and exc.code >= 500:
        return GatewayError("upstream_unavailable", f"The model is unavailable ({exc.code} {exc.status}): {message}", retryable=True)
    if exc.code in (401, 403):
        return GatewayError("unauthorized", f"The model refused our credentials ({exc.code} {exc.status}): {message}")
    return GatewayError("invalid_request", f"The model rejected the request ({exc.code} {exc.status}): {message}")


def parse_response(response: types.GenerateContentResponse) -> ImageResult:
    usage = response.usage_metadata.model_dump(mode="json", exclude_none=True) if response.usage_metadata else {}
    base = {"model_version": response.model_version or "", "response_id": response.response_id or "", "usage": usage}

    feedback = response.prompt_feedback
    if feedback is not None and feedback.block_reason:
        reason = enum_name(feedback.block_reason)
        detail = f" {feedback.block_reason_message}" if feedback.block_reason_message else ""
        raise GatewayError("blocked", f"The prompt was blocked by the model ({reason}).{detail}")

    candidate = (response.candidates or [None])[0]
    if candidate is None:
        raise GatewayError("no_image", "The model returned no candidates.")
    finish_reason = enum_name(candidate.finish_reason)
    images: list[OutputImage] = []
    texts: list[str] = []
    returned = (candidate.content.parts if candidate.content else None) or []
    for index, part in enumerate(returned):
        if part.thought:  # interim thinking output, not a result
            continue
        if part.inline_data is not None and part.inline_data.data:
            images.append(OutputImage(data=part.inline_data.data, mime_type=part.inline_data.mime_type or "image/png", part_index=index))
        elif part.text:
            texts.append(part.text)
    text = "\n".join(texts)

    if finish_reason in BLOCKING_FINISH_REASONS:
        said = f" The model said: {text}" if text else ""
        raise GatewayError("blocked", f"The image was blocked by the model's safety filters ({finish_reason}).{said}")
    if not images:
        said = f" The model said: {text}" if text else ""
        raise GatewayError("no_image", f"The model answered without an image (finish reason {finish_reason or 'none'}).{said}")

    grounding = {}
    if candidate.grounding_metadata is not None:
        grounding = candidate.grounding_metadata.model_dump(mode="json", exclude_none=True)
    parts = [turn_part(part) for part in returned]
    return ImageResult(images=images, parts=parts, text=text, finish_reason=finish_reason, grounding=grounding, **base)
