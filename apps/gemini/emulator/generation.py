"""The emulator's generateContent: its state (latency, rate limit, pre-rendered pictures, the
request log) and one call, validated like the real API and answered with a rendered image (via
render.py), or failed by the fault a prompt marker asks for. The HTTP server (server.py) and the
Batch API (batches.py) run calls; this module imports neither."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field

from PIL import Image

from apps.gemini import catalogue
from apps.gemini.emulator.credentials import with_content_credentials
from apps.gemini.emulator.protocol import (
    SIGNATURE_HELP,
    EmulatedError,
    decode_base64,
    decode_image,
    invalid,
    part_summary,
    signature_for,
    snake_keys,
)
from apps.gemini.emulator.render import render_photo, render_png

FAULT = re.compile(r"\[fault:(?P<kind>[a-z0-9-]+?)(?:x(?P<times>\d+))?(?:=(?P<arg>[\d.]+))?\]")

# Tokens an output image counts for, by size tier (what usage metadata reports).
IMAGE_TOKENS = {"512": 560, "1K": 1120, "2K": 1680, "4K": 2520}
TOKENS_PER_INPUT_IMAGE = 258
RETRY_DELAY_SECONDS = 1
# Stands in the answer's JSON for a pre-rendered image's base64 until it is sent.
SPLICE = f"prerendered-{uuid.uuid4().hex}"


def parse_latency(value: float | str | dict) -> dict[str, float]:
    """`--latency`: one number of seconds for every answer, or `SIZE=SECONDS` pairs per size tier
    (`512=4,1K=6,2K=8,4K=12,default=1`). Returns {tier or "default": seconds}; refuses with a
    ValueError naming the bad part."""
    if isinstance(value, dict):
        return value
    items = [item.strip() for item in str(value).split(",")]
    if len(items) == 1 and "=" not in items[0]:
        items = [f"default={items[0]}"]
    allowed = [*catalogue.SIZE_SCALE, "default"]
    latency = {}
    for item in items:
        name, _, seconds = (part.strip() for part in item.partition("="))
        if name not in allowed:
            raise ValueError(f"latency {value!r}: unknown size {name!r}; give one number of seconds or SIZE=SECONDS pairs, SIZE one of {', '.join(allowed)}")
        try:
            latency[name] = float(seconds)
        except ValueError:
            latency[name] = -1.0
        if not 0 <= latency[name] < float("inf"):
            raise ValueError(f"latency {value!r}: {seconds!r} for {name} is not a number of seconds >= 0")
    return latency


@dataclass
class Prerendered:
    """A pixel size's picture, made once: its PNG, base64 (text and the bytes sent) and sha256."""

    png: bytes
    text: str
    wire: bytes
    digest: bytes

    @classmethod
    def render(cls, width: int, height: int, tier: str) -> Prerendered:
        png = render_photo(width=width, height=height)
        print(f"emulator pre-rendered {tier} {width}x{height}: {len(png) / 1e6:.1f} MB PNG, {len(png) / (width * height):.2f} bytes/pixel", flush=True)
        wire = base64.b64encode(png)
        return cls(png, wire.decode(), wire, hashlib.sha256(png).digest())


@dataclass
class EmulatorState:
    latency: dict[str, float] = field(default_factory=dict)
    rpm: int = 0
    prerendered: bool = False
    images: dict[tuple[int, int], Prerendered] = field(default_factory=dict)
    render_lock: threading.Lock = field(default_factory=threading.Lock)
    log: list[dict] = field(default_factory=list)
    fault_counts: Counter = field(default_factory=Counter)
    window: deque = field(default_factory=deque)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.log.clear()
            self.fault_counts.clear()
            self.window.clear()

    def latency_for(self, size: str) -> float:
        return self.latency.get(size, self.latency.get("default", 0.0))

    def prerendered_image(self, width: int, height: int, tier: str) -> Prerendered:
        """The size's picture, rendered by its first caller (the others of that moment wait for it)."""
        with self.render_lock:
            if (width, height) not in self.images:
                self.images[(width, height)] = Prerendered.render(width, height, tier)
            return self.images[(width, height)]

    def admit(self) -> float | None:
        """Sliding one-minute window; returns the retry delay when over the RPM limit."""
        if not self.rpm:
            return None
        now = time.monotonic()
        with self.lock:
            while self.window and now - self.window[0] >= 60:
                self.window.popleft()
            if len(self.window) >= self.rpm:
                return max(0.1, 60 - (now - self.window[0]))
            self.window.append(now)
        return None


class GenerateContent:
    """One generateContent call: parse, validate like the real API, then answer or fail."""

    def __init__(self, state: EmulatorState, model_name: str, body: dict):
        self.state = state
        self.model = catalogue.get_model(model_name)
        if self.model is None:
            raise EmulatedError(404, "NOT_FOUND", f"models/{model_name} is not found for API version v1, or is not supported for generateContent.")
        self.body = snake_keys(body)
        self.generation_config = self.body.get("generation_config") or {}
        self.image_config = self.generation_config.get("image_config") or {}
        self.prompt = ""
        self.texts: list[str] = []
        self.images: list[Image.Image] = []
        self.image_hashes: list[str] = []
        self.contents_log: list[dict] = []
        self.prerendered: Prerendered | None = None

    @property
    def size(self) -> str:
        return self.image_config.get("image_size") or self.model.default_size

    def validate(self) -> None:
        contents = self.body.get("contents")
        if not contents:
            raise invalid("* GenerateContentRequest.contents: contents is not specified")
        texts = []
        for content_position, content in enumerate(contents, start=1):
            logged = []
            for part_position, part in enumerate(content.get("parts") or [], start=1):
                raw = None
                if "text" in part:
                    texts.append(part["text"])
                elif "inline_data" in part:
                    inline = part["inline_data"]
                    if not str(inline.get("mime_type", "")).startswith("image/"):
                        raise invalid(f"Unsupported MIME type: {inline.get('mime_type')}")
                    image, raw = decode_image(inline.get("data", ""))
                    self.images.append(image)
                    self.image_hashes.append(hashlib.sha256(raw).hexdigest())
                logged.append(part_summary(part, raw))
                if content.get("role") == "model" and self.model.thought_signatures:
                    self._check_signature(part, raw, content_position, part_position)
            self.contents_log.append({"role": content.get("role", "user"), "parts": logged})
        self.texts = texts
        # The newest turn is what is asked now: it is drawn and its fault markers count, not the history's.
        self.prompt = " ".join(part["text"] for part in contents[-1].get("parts") or [] if "text" in part).strip()
        if len(self.images) > self.model.max_input_images:
            raise invalid(f"Too many input images: {len(self.images)}. {self.model.model_id} accepts at most {self.model.max_input_images}.")

        ratio = self.image_config.get("aspect_ratio")
        if ratio is not None and ratio not in self.model.aspect_ratios:
            raise invalid(f"Unsupported aspect ratio {ratio!r} for {self.model.model_id}. Supported: {', '.join(self.model.aspect_ratios)}.")
        size = self.image_config.get("image_size")
        if size is not None and (size not in self.model.sizes or not self.model.supports_size_choice):
            raise invalid(f"Unsupported image size {size!r} for {self.model.model_id}.")

        thinking = self.generation_config.get("thinking_config") or {}
        level = thinking.get("thinking_level")
        if level is not None:
            if not self.model.thinking_levels:
                raise invalid(f"Thinking level is not supported for {self.model.model_id}.")
            if str(level).lower() not in self.model.thinking_levels:
                raise invalid(f"Thinking level {level!r} is not supported for {self.model.model_id}.")

        for tool in self.body.get("tools") or []:
            search = tool.get("google_search")
            if search is None:
                continue
            types = search.get("search_types") or {"web_search": {}}
            if "web_search" in types and not self.model.web_search:
                raise invalid(f"Search as a tool is not enabled for {self.model.model_id}.")
            if "image_search" in types and not self.model.image_search:
                raise invalid(f"Image search is not supported for {self.model.model_id}.")

    def _check_signature(self, part: dict, raw: bytes | None, content_position: int, part_position: int) -> None:
        where = f"in content position {content_position}, part position {part_position}"
        signature = part.get("thought_signature")
        if not signature:
            if raw is not None and not part.get("thought"):
                raise invalid(f"Image part is missing a thought_signature {where}. {SIGNATURE_HELP}")
            return
        content = raw if raw is not None else str(part.get("text", "")).encode()
        try:
            valid = hmac.compare_digest(decode_base64(signature), signature_for(self.model.model_id, content))
        except (binascii.Error, ValueError):
            valid = False
        if not valid:
            raise invalid(f"Thought signature is not valid {where}. {SIGNATURE_HELP}")

    def fault(self) -> tuple[str, float | None] | None:
        """The first prompt marker whose count is not used up yet."""
        for match in FAULT.finditer(self.prompt):
            kind, times, arg = match["kind"], match["times"], match["arg"]
            if times is not None:
                key = (kind, self.prompt)
                with self.state.lock:
                    self.state.fault_counts[key] += 1
                    if self.state.fault_counts[key] > int(times):
                        continue
            return kind, float(arg) if arg else None
        return None

    def answer(self, fault: tuple[str, float | None] | None, *, splice: bool = False) -> dict:
        """The answer's JSON body. With `splice`, a pre-rendered image's base64 stands there as
        SPLICE, for the sender to write `self.prerendered.wire` in its place."""
        kind = fault[0] if fault else None
        if kind == "429":
            raise EmulatedError(429, "RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", RETRY_DELAY_SECONDS)
        if kind in ("500", "503"):
            status = {"500": "INTERNAL", "503": "UNAVAILABLE"}[kind]
            raise EmulatedError(int(kind), status, "The model is overloaded. Please try again later.")
        if kind == "400":
            raise invalid("Request contains an invalid argument.")
        if kind == "slow" and fault[1]:
            time.sleep(fault[1])

        response_id = uuid.uuid4().hex[:22]
        usage = {
            "promptTokenCount": len(self.prompt) // 4 + 1 + TOKENS_PER_INPUT_IMAGE * len(self.images),
            "candidatesTokenCount": 0,
        }
        base = {"modelVersion": self.model.model_id, "responseId": response_id}
        if kind == "blocked":
            usage["totalTokenCount"] = usage["promptTokenCount"]
            return base | {"promptFeedback": {"blockReason": "SAFETY"}, "usageMetadata": usage}

        size = self.size
        ratio = self.image_config.get("aspect_ratio") or (self._ratio_of_first_input() or "1:1")
        width, height = catalogue.pixel_size(ratio, size)
        parts: list[dict] = []
        thinking = self.model.thinking_levels and self.generation_config.get("thinking_config")
        if thinking:
            parts.append({"text": "Planning the composition.", "thought": True})
            usage["thoughtsTokenCount"] = 64
        finish = "STOP"
        if kind == "safety":
            finish = "IMAGE_SAFETY"
            parts.append({"text": "I can't create that image because it may violate the safety policy."})
        elif kind == "no-image":
            parts.append({"text": "Here is a description instead of an image."})
        else:
            prompt = FAULT.sub("", self.prompt).strip() or "(no prompt)"
            prerender = self.state.prerendered and kind != "c2pa"
            if thinking and str(thinking.get("thinking_level", "")).lower() == "high":
                # Thinking hard, the model drafts an interim image first: a thought, unsigned, not a result.
                draft_width, draft_height = max(64, width // 4), max(64, height // 4)
                if prerender:
                    draft_data = self.state.prerendered_image(draft_width, draft_height, "draft").text
                else:
                    draft_data = base64.b64encode(render_png(width=draft_width, height=draft_height, prompt=prompt, inputs=[], caption="draft")).decode()
                parts.append({"inlineData": {"mimeType": "image/png", "data": draft_data}, "thought": True})
            if prerender:
                self.prerendered = made = self.state.prerendered_image(width, height, f"{ratio} {size}")
                png, digest, data = made.png, made.digest, SPLICE if splice else made.text
            else:
                png = render_png(
                    width=width,
                    height=height,
                    prompt=prompt,
                    inputs=self.images,
                    request_text=self.prompt,  # quoted copy and [fault:typo] ... markers: copy_render.py
                    # The response id makes every answer's bytes its own, as a real model's are.
                    caption=f"{self.model.model_id} · {ratio} · {size} · {len(self.images)} input image(s) · emulator {response_id[:8]}",
                )
                if kind == "c2pa":
                    png = with_content_credentials(png, self.model.model_id)
                digest, data = None, base64.b64encode(png).decode()
            parts.append(self._signed({"text": "Here is your image."}, b"Here is your image."))
            parts.append(self._signed({"inlineData": {"mimeType": "image/png", "data": data}}, png, digest=digest))
            usage["candidatesTokenCount"] = IMAGE_TOKENS[size]
        usage["totalTokenCount"] = sum(v for k, v in usage.items() if k != "totalTokenCount")
        candidate = {"content": {"role": "model", "parts": parts}, "finishReason": finish, "index": 0}
        grounding = self._grounding()
        if grounding:
            candidate["groundingMetadata"] = grounding
        return base | {"candidates": [candidate], "usageMetadata": usage}

    def _signed(self, part: dict, content: bytes, *, digest: bytes | None = None) -> dict:
        if self.model.thought_signatures:
            part["thoughtSignature"] = base64.b64encode(signature_for(self.model.model_id, content, digest=digest)).decode()
        return part

    def reply_log(self, answer: dict) -> list[dict]:
        """The answer's parts as the log keeps them (a pre-rendered image by its known digest)."""
        logged = []
        for part in snake_keys(answer).get("candidates", [{}])[0].get("content", {}).get("parts", []):
            data = part.get("inline_data", {}).get("data")
            if data is None:
                logged.append(part_summary(part))
            elif self.prerendered and data in (SPLICE, self.prerendered.text):
                logged.append(part_summary(part, digest=self.prerendered.digest))
            else:
                logged.append(part_summary(part, decode_base64(data)))
        return logged

    def _ratio_of_first_input(self) -> str | None:
        """Like the real API, an edit without an aspect ratio keeps the closest ratio of its input."""
        if not self.images:
            return None
        return catalogue.nearest_ratio(*self.images[0].size, self.model.aspect_ratios)

    def _grounding(self) -> dict | None:
        for tool in self.body.get("tools") or []:
            if "google_search" in tool:
                types = tool["google_search"].get("search_types") or {"web_search": {}}
                query = self.prompt[:60]
                grounding = {
                    "webSearchQueries": [query],
                    "groundingChunks": [{"web": {"uri": "https://example.com/reference", "title": "example.com"}}],
                }
                if "image_search" in types:
                    grounding["imageSearchQueries"] = [query]
                return grounding
        return None
