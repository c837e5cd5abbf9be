"""The Gemini API emulator: `POST /v1[beta]/models/{model}:generateContent`.

It validates what the real API validates (model, aspect ratio and size per model, input image
count and data, thinking and search support), renders a real PNG of the catalogue's pixel size,
returns usage metadata, and injects faults so every failure path can be reached:

- at start: `latency` seconds per answer, one number or per size tier (`512=4,1K=6,2K=8,4K=12`,
  a tier not named waits its `default=` or 0), `rpm` requests per minute before answering 429, and
  `prerendered`: each pixel size is rendered once, lazily at its first answer or ahead through
  `POST /_emulator/prerender`, as a photo-like PNG (gradients under fine noise, ~1.3 bytes a pixel
  as a real answer's), and every answer of that size reuses its bytes, base64 and digest: the
  emulator's CPU per answer is then only the JSON around a ready string (spliced in as it is sent),
  so benchmarks sharing its machine measure the platform, not the drawing. Off by default: answers
  are drawn with their prompt and inputs (also for `[fault:c2pa]` and thinking drafts);
- per request, by a marker in the prompt text: `[fault:429x2]` (the first two calls with that
  prompt get 429), `[fault:500]`, `[fault:503x1]`, `[fault:400]`, `[fault:safety]`
  (finish reason IMAGE_SAFETY), `[fault:blocked]` (prompt blocked), `[fault:no-image]`,
  `[fault:slow=3]` (answer after 3 s), `[fault:c2pa]` (the image carries C2PA Content Credentials,
  as Google's do on some surfaces).

Thought signatures, as the Gemini 3 image models (catalogue `thought_signatures`) have them: every
non-thought image part and the first non-thought text part of an answer carry a signature (with
thinking level high an unsigned interim thought image comes first, as Nano Banana Pro drafts one) (an
HMAC of the model id and the part's content under the emulator's signing key), and a request whose
history has a model image part without its signature, or any part with a signature the emulator
did not issue for that content and model, is refused with 400 INVALID_ARGUMENT. Nano Banana (2.5)
neither returns nor checks them. The log keeps each request's whole `contents` (texts, image
hashes, thought flags, signatures) and each answer's `reply` the same way, so tests can check a
history was sent back exactly.

Control endpoints: `GET /_emulator/requests` (the request log, each call with its arrival `at`,
`answered_at` and the `latency` it waited), `POST /_emulator/reset`, and `POST /_emulator/prerender`
with `{"sizes": [["4:5", "4K"], ...]}` (renders those ahead, answers their pixel sizes and bytes).
The Batch API and Files API live in `batches.py` (their own routes and state).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import io
import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image

from apps.gemini import catalogue
from apps.gemini.emulator.credentials import with_content_credentials
from apps.gemini.emulator.render import render_photo, render_png

ROUTE = re.compile(r"^/(v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):generateContent$")
FAULT = re.compile(r"\[fault:(?P<kind>[a-z0-9-]+?)(?:x(?P<times>\d+))?(?:=(?P<arg>[\d.]+))?\]")
CAMEL = re.compile(r"(?<!^)(?=[A-Z])")

# Tokens an output image counts for, by size tier (what usage metadata reports).
IMAGE_TOKENS = {"512": 560, "1K": 1120, "2K": 1680, "4K": 2520}
TOKENS_PER_INPUT_IMAGE = 258
RETRY_DELAY_SECONDS = 1
# Fixed, so threads stored against one emulator run still verify after it restarts.
SIGNING_KEY = b"gemini-emulator thought signatures"
SIGNATURE_HELP = "Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details."
# Stands in the answer's JSON for a pre-rendered image's base64 until it is sent.
SPLICE = f"prerendered-{uuid.uuid4().hex}"


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


class Handler(BaseHTTPRequestHandler):
    server: "EmulatorServer"
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the request log is kept in state instead
        pass

    def _send(self, status: int, body: dict, headers: dict | None = None, splice: bytes | None = None) -> None:
        """`splice`: the ready base64 written where SPLICE stands in the body, never copied into it."""
        pieces = [json.dumps(body).encode()]
        if splice is not None:
            head, tail = pieces[0].split(SPLICE.encode(), 1)
            pieces = [head, splice, tail]
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=UTF-8")
        self.send_header("Content-Length", str(sum(len(piece) for piece in pieces)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        try:
            self.end_headers()
            for piece in pieces:
                self.wfile.write(piece)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout under test); its call is already in the log

    def do_GET(self):
        if self.path == "/_emulator/requests":
            with self.server.state.lock:
                return self._send(200, {"requests": list(self.server.state.log)})
        if self.path == "/_emulator/health":
            return self._send(200, {"ok": True})
        if self.server.batches.handle(self, "GET", b""):
            return
        return self._send(404, {"error": {"code": 404, "message": "Not found", "status": "NOT_FOUND"}})

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if self.path == "/_emulator/reset":
            self.server.state.reset()
            self.server.batches.reset()
            return self._send(200, {"ok": True})
        if self.path == "/_emulator/prerender":
            return self._prerender(raw)
        if self.server.batches.handle(self, "POST", raw):
            return
        path = self.path.split("?", 1)[0]
        match = ROUTE.match(path)
        if not match:
            return self._send(404, {"error": {"code": 404, "message": f"Unknown path {path}", "status": "NOT_FOUND"}})

        state = self.server.state
        # In the log from arrival (status None until answered), so a test can wait for a call in flight;
        # filled in before the answer is sent, so a client that got its answer finds its call complete.
        entry = {"model": match["model"], "at": time.time(), "status": None, "fault": None, "prompt": ""}
        with state.lock:
            state.log.append(entry)
        try:
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError as exc:
                raise invalid(f"Invalid JSON payload received. {exc}") from exc
            call = GenerateContent(state, match["model"], body)
            call.validate()
            entry["prompt"] = call.prompt[:200]
            entry["input_images"] = len(call.images)
            entry["input_sha256"] = call.image_hashes
            entry["texts"] = [text[:300] for text in call.texts]
            entry["system_instruction"] = " ".join(p.get("text", "") for p in (call.body.get("system_instruction") or {}).get("parts", []))
            entry["image_config"] = call.image_config
            entry["contents"] = call.contents_log
            retry_delay = state.admit()
            if retry_delay is not None:
                entry["fault"] = "rpm"
                raise EmulatedError(429, "RESOURCE_EXHAUSTED", "Quota exceeded for requests per minute.", retry_delay)
            fault = call.fault()
            entry["fault"] = fault[0] if fault else None
            entry["latency"] = state.latency_for(call.size)
            time.sleep(entry["latency"])
            answer = call.answer(fault, splice=True)
            entry["reply"] = call.reply_log(answer)
            entry["status"] = 200
            status, payload, headers = 200, answer, None
            splice = call.prerendered.wire if call.prerendered else None
        except EmulatedError as exc:
            entry["status"] = exc.http_status
            entry["error"] = exc.message
            headers = {"Retry-After": str(max(1, round(exc.retry_delay)))} if exc.retry_delay is not None else None
            status, payload, splice = exc.http_status, exc.body(), None
        entry["answered_at"] = time.time()
        self._send(status, payload, headers, splice)

    def _prerender(self, raw: bytes):
        """Renders the named sizes ahead, so a benchmark's first answers wait for no drawing."""
        try:
            sizes = json.loads(raw or b"{}").get("sizes") or []
            made = []
            for ratio, size in sizes:
                width, height = catalogue.pixel_size(ratio, size)
                image = self.server.state.prerendered_image(width, height, f"{ratio} {size}")
                made.append({"aspect_ratio": ratio, "image_size": size, "width": width, "height": height, "bytes": len(image.png)})
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            return self._send(400, invalid(f'Expected {{"sizes": [[aspect ratio, size], ...]}}: {exc!r}').body())
        return self._send(200, {"prerendered": made})


class EmulatorServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, host: str = "127.0.0.1", port: int = 0, *,
        latency: float | str | dict = 0.0, rpm: int = 0, batch_delay: float = 0.0, prerendered: bool = False,
    ):
        from apps.gemini.emulator.batches import BatchEndpoints  # it builds on this module's request checks

        super().__init__((host, port), Handler)
        self.state = EmulatorState(latency=parse_latency(latency), rpm=rpm, prerendered=prerendered)
        self.batches = BatchEndpoints(self.state, delay=batch_delay)

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start_in_thread(**options) -> EmulatorServer:
    server = EmulatorServer(**options)
    threading.Thread(target=server.serve_forever, name="gemini-emulator", daemon=True).start()
    return server
