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

Control endpoints: `GET /_emulator/requests` (the request log, each call with its arrival `at`, its input images' pixel sizes,
`answered_at` and the `latency` it waited), `POST /_emulator/reset`, and `POST /_emulator/prerender`
with `{"sizes": [["4:5", "4K"], ...]}` (renders those ahead, answers their pixel sizes and bytes).
The Batch API and Files API live in `batches.py` (their own routes and state).

Modules, none importing a later one: `protocol.py` (error shape, base64, signatures, log entries),
`render.py` (drawing the images), `generation.py` (state and one generateContent call),
`batches.py` (Batch and Files API) and this HTTP server.
"""


from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from apps.gemini import catalogue
from apps.gemini.emulator.batches import BatchEndpoints
from apps.gemini.emulator.generation import SPLICE, EmulatorState, GenerateContent, parse_latency
from apps.gemini.emulator.protocol import EmulatedError, invalid

ROUTE = re.compile(r"^/(v1|v1beta|v1alpha)/models/(?P<model>[^/:]+):generateContent$")


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
            entry["input_sizes"] = [list(image.size) for image in call.images]
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
