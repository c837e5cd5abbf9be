"""The emulator's Batch API and Files API, as the SDK's `client.batches` and `client.files` call them.

- `POST /v1/models/{model}:batchGenerateContent` with `batch.inputConfig` holding either
  `requests.requests` (inlined, each `{"request", "metadata"}`) or `fileName` (a JSONL file of
  `{"key", "request"}` lines uploaded first). Every inner request is checked exactly as the
  interactive endpoint checks it; one bad request refuses the whole create with 400 naming it.
- `GET /v1/batches/{id}`, `GET /v1/batches` (pages), `POST /v1/batches/{id}:cancel`: answers are
  operations (`name`, `metadata` with `state` BATCH_STATE_*, `done`), as AI Studio sends them.
- `POST /upload/v1/files` (resumable: start, then upload/finalize at the returned URL),
  `GET /v1/files/{id}`, `GET /v1/files/{id}:download?alt=media`.

A batch stays PENDING for the first half of its turnaround (`batch_delay` seconds), RUNNING for the
second, then ends when it is next read: its requests are answered like interactive calls (the same
fault markers work per request, so `[fault:400]` in one prompt is one failed request among
successes). Batch-wide markers in any prompt: `[fault:batch-expire]` ends it EXPIRED,
`[fault:batch-fail]` ends it FAILED, `[fault:batch-slow=3]` answers the create 3 s after the batch
was recorded (room to kill the caller between "created upstream" and "recorded by us").
A batch created with file input answers in a result file; an inlined one inline.

`GET /_emulator/batches` lists every batch ever created (the count a duplicate-create test reads).
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit

from apps.gemini.emulator.generation import FAULT, GenerateContent
from apps.gemini.emulator.protocol import EmulatedError, invalid

API = r"/(?:v1|v1beta|v1alpha)"
CREATE = re.compile(rf"^{API}/models/(?P<model>[^/:]+):batchGenerateContent$")
BATCH = re.compile(rf"^{API}/batches/(?P<id>[a-z0-9-]+)$")
CANCEL = re.compile(rf"^{API}/batches/(?P<id>[a-z0-9-]+):cancel$")
LIST = re.compile(rf"^{API}/batches$")
UPLOAD = re.compile(rf"^/upload{API}/files$")
FILE = re.compile(rf"^{API}/files/(?P<id>[a-z0-9-]+)$")
DOWNLOAD = re.compile(rf"^{API}/files/(?P<id>[a-z0-9-]+):download$")

FINAL_STATES = ("BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED")
# google.rpc codes for a failed request inside a batch, by the HTTP status an interactive call gets.
RPC_CODES = {400: 3, 403: 7, 404: 5, 429: 8, 500: 13, 503: 14, 504: 4}


def _now_iso(at: float) -> str:
    return datetime.fromtimestamp(at, timezone.utc).isoformat().replace("+00:00", "Z")


@dataclass
class StoredFile:
    name: str
    data: bytes
    mime_type: str
    display_name: str
    source: str  # UPLOADED or GENERATED
    created: float = field(default_factory=time.time)

    def resource(self, base_url: str) -> dict:
        file_id = self.name.removeprefix("files/")
        body = {
            "name": self.name, "displayName": self.display_name, "mimeType": self.mime_type,
            "sizeBytes": str(len(self.data)), "createTime": _now_iso(self.created), "updateTime": _now_iso(self.created),
            "state": "ACTIVE", "source": self.source, "uri": f"{base_url}/v1beta/files/{file_id}",
        }
        if self.source == "GENERATED":
            body["downloadUri"] = f"{base_url}/v1beta/files/{file_id}:download?alt=media"
        return body


@dataclass
class Batch:
    name: str
    model: str
    display_name: str
    requests: list[tuple[str | None, dict, dict | None]]  # (key, request body, metadata)
    file_input: bool
    created: float = field(default_factory=time.time)
    state: str = "BATCH_STATE_PENDING"
    ended: float | None = None
    output: dict | None = None
    error: dict | None = None
    stats: dict = field(default_factory=dict)

    def markers(self) -> set[str]:
        found = set()
        for _key, body, _metadata in self.requests:
            text = json.dumps(body)
            found.update(match["kind"] for match in FAULT.finditer(text))
        return found

    def slow_create(self) -> float:
        for _key, body, _metadata in self.requests:
            for match in FAULT.finditer(json.dumps(body)):
                if match["kind"] == "batch-slow" and match["arg"]:
                    return float(match["arg"])
        return 0.0

    def operation(self) -> dict:
        metadata = {
            "@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch",
            "name": self.name, "model": f"models/{self.model}", "displayName": self.display_name,
            "state": self.state, "createTime": _now_iso(self.created), "updateTime": _now_iso(self.ended or self.created),
            "batchStats": {"requestCount": str(len(self.requests)), **self.stats},
        }
        if self.ended:
            metadata["endTime"] = _now_iso(self.ended)
        if self.output is not None:
            metadata["output"] = self.output
        body = {"name": self.name, "metadata": metadata, "done": self.state in FINAL_STATES}
        if self.error is not None:
            body["error"] = self.error
        elif self.state == "BATCH_STATE_SUCCEEDED":
            body["response"] = {"@type": "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput", **self.output}
        return body


class BatchEndpoints:
    """Batch and file state for one emulator; answers the routes above."""

    def __init__(self, state, delay: float = 0.0):
        self.state = state  # the interactive endpoint's state: fault counts and lock are shared
        self.delay = delay
        self.lock = threading.Lock()
        self.batches: dict[str, Batch] = {}
        self.files: dict[str, StoredFile] = {}
        self.uploads: dict[str, dict] = {}

    def reset(self) -> None:
        with self.lock:
            self.batches.clear()
            self.files.clear()
            self.uploads.clear()

    def handle(self, handler, method: str, raw: bytes) -> bool:
        """Answer the request if it is ours; False leaves it to the interactive routes."""
        parts = urlsplit(handler.path)
        path, query = parts.path, parse_qs(parts.query)
        base_url = f"http://{handler.headers.get('Host') or '%s:%s' % handler.server.server_address[:2]}"
        routes = {
            "POST": [(CREATE, self._create), (CANCEL, self._cancel), (UPLOAD, self._upload)],
            "GET": [(BATCH, self._get), (LIST, self._list), (DOWNLOAD, self._download), (FILE, self._file)],
        }
        if path == "/_emulator/batches" and method == "GET":
            with self.lock:
                handler._send(200, {"batches": [
                    {"name": b.name, "display_name": b.display_name, "model": b.model, "requests": len(b.requests),
                     "file_input": b.file_input, "state": b.state} for b in self.batches.values()
                ]})
            return True
        for pattern, answer in routes.get(method, []):
            match = pattern.match(path)
            if match:
                try:
                    answer(handler, match, query, raw, base_url)
                except EmulatedError as exc:
                    handler._send(exc.http_status, exc.body())
                return True
        return False

    # --- batches

    def _create(self, handler, match, query, raw, base_url) -> None:
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError as exc:
            raise invalid(f"Invalid JSON payload received. {exc}") from exc
        model = match["model"]
        batch_body = body.get("batch") or {}
        source = batch_body.get("inputConfig") or batch_body.get("input_config") or {}
        inline = (source.get("requests") or {}).get("requests")
        file_name = source.get("fileName") or source.get("file_name")
        if (inline is None) == (file_name is None):
            raise invalid("* BatchGenerateContentRequest.batch.input_config: exactly one of requests or file_name must be set")
        if inline is not None:
            requests = [(None, item.get("request") or {}, item.get("metadata")) for item in inline]
        else:
            requests = self._requests_from_file(file_name)
        if not requests:
            raise invalid("* BatchGenerateContentRequest.batch.input_config: the batch holds no requests")
        for position, (key, request, _metadata) in enumerate(requests):
            try:
                GenerateContent(self.state, model, request).validate()
            except EmulatedError as exc:
                label = f"request {position}" + (f" (key {key!r})" if key else "")
                raise EmulatedError(exc.http_status, exc.status, f"{label}: {exc.message}") from exc
        batch = Batch(
            name=f"batches/{uuid.uuid4().hex[:16]}", model=model,
            display_name=str(batch_body.get("displayName") or batch_body.get("display_name") or ""),
            requests=requests, file_input=file_name is not None,
        )
        with self.lock:  # recorded before the answer: a caller killed mid-call still made a batch
            self.batches[batch.name] = batch
        if batch.slow_create():
            time.sleep(batch.slow_create())
        handler._send(200, batch.operation())

    def _requests_from_file(self, file_name: str) -> list:
        with self.lock:
            stored = self.files.get(file_name)
        if stored is None:
            raise EmulatedError(404, "NOT_FOUND", f"File {file_name} not found.")
        requests = []
        for number, line in enumerate(stored.data.decode("utf-8", "replace").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
            except json.JSONDecodeError as exc:
                raise invalid(f"{file_name} line {number} is not JSON: {exc}") from exc
            if not isinstance(item, dict) or "request" not in item:
                raise invalid(f"{file_name} line {number} has no 'request'.")
            requests.append((str(item.get("key", "")) or None, item["request"], None))
        return requests

    def _batch(self, match) -> Batch:
        with self.lock:
            batch = self.batches.get(f"batches/{match['id']}")
        if batch is None:
            raise EmulatedError(404, "NOT_FOUND", f"Batch batches/{match['id']} not found.")
        return batch

    def _get(self, handler, match, query, raw, base_url) -> None:
        batch = self._batch(match)
        self._advance(batch, base_url)
        handler._send(200, batch.operation())

    def _list(self, handler, match, query, raw, base_url) -> None:
        size = int((query.get("pageSize") or ["50"])[0])
        start = int((query.get("pageToken") or ["0"])[0] or 0)
        with self.lock:  # states as last read: a list does not answer anyone's requests
            batches = sorted(self.batches.values(), key=lambda b: b.created, reverse=True)
        body = {"operations": [b.operation() for b in batches[start:start + size]]}
        if start + size < len(batches):
            body["nextPageToken"] = str(start + size)
        handler._send(200, body)

    def _cancel(self, handler, match, query, raw, base_url) -> None:
        batch = self._batch(match)
        with self.lock:
            if batch.state not in FINAL_STATES:
                batch.state, batch.ended = "BATCH_STATE_CANCELLED", time.time()
        handler._send(200, {})

    def _advance(self, batch: Batch, base_url: str) -> None:
        """Move a batch along its turnaround; at the end, answer its requests once."""
        with self.lock:
            if batch.state in FINAL_STATES:
                return
            age = time.time() - batch.created
            if age < self.delay / 2:
                return
            if age < self.delay:
                batch.state = "BATCH_STATE_RUNNING"
                return
            markers = batch.markers()
            if "batch-expire" in markers:
                batch.state, batch.ended = "BATCH_STATE_EXPIRED", time.time()
                batch.error = {"code": 4, "message": "The batch did not finish within its 48-hour window and expired.", "status": "DEADLINE_EXCEEDED"}
                return
            if "batch-fail" in markers:
                batch.state, batch.ended = "BATCH_STATE_FAILED", time.time()
                batch.error = {"code": 13, "message": "The batch failed with an internal error.", "status": "INTERNAL"}
                return
            batch.state = "BATCH_STATE_RUNNING"  # answering below, outside the lock
        answers = [self._answer(batch.model, key, request, metadata) for key, request, metadata in batch.requests]
        failed = sum(1 for answer in answers if "error" in answer)
        with self.lock:
            if batch.state in FINAL_STATES:  # canceled or finished by another reader meanwhile
                return
            if batch.file_input:
                result = StoredFile(
                    name=f"files/batch-{batch.name.removeprefix('batches/')}", mime_type="application/jsonl",
                    data="".join(json.dumps(answer) + "\n" for answer in answers).encode(),
                    display_name=f"{batch.display_name} results", source="GENERATED",
                )
                self.files[result.name] = result
                batch.output = {"responsesFile": result.name}
            else:
                batch.output = {"inlinedResponses": {"inlinedResponses": answers}}
            batch.stats = {"successfulRequestCount": str(len(answers) - failed), "failedRequestCount": str(failed), "pendingRequestCount": "0"}
            batch.state, batch.ended = "BATCH_STATE_SUCCEEDED", time.time()

    def _answer(self, model: str, key: str | None, request: dict, metadata: dict | None) -> dict:
        answer: dict = {"key": key} if key is not None else {}
        if metadata is not None:
            answer["metadata"] = metadata
        call = GenerateContent(self.state, model, request)
        try:
            call.validate()
            answer["response"] = call.answer(call.fault())
        except EmulatedError as exc:
            answer["error"] = {"code": RPC_CODES.get(exc.http_status, 2), "message": exc.message, "status": exc.status}
        return answer

    # --- files

    def _upload(self, handler, match, query, raw, base_url) -> None:
        command = (handler.headers.get("X-Goog-Upload-Command") or "").lower()
        if "start" in command:
            try:
                meta = (json.loads(raw or b"{}").get("file")) or {}
            except json.JSONDecodeError as exc:
                raise invalid(f"Invalid JSON payload received. {exc}") from exc
            upload_id = uuid.uuid4().hex
            with self.lock:
                self.uploads[upload_id] = {
                    "meta": meta, "data": bytearray(),
                    "size": int(handler.headers.get("X-Goog-Upload-Header-Content-Length") or 0),
                    "mime_type": handler.headers.get("X-Goog-Upload-Header-Content-Type") or meta.get("mimeType") or "application/octet-stream",
                }
            url = f"{base_url}{urlsplit(handler.path).path}?upload_id={upload_id}&upload_protocol=resumable"
            handler._send(200, {}, {"X-Goog-Upload-URL": url, "X-Goog-Upload-Status": "active"})
            return
        upload_id = (query.get("upload_id") or [""])[0]
        with self.lock:
            upload = self.uploads.get(upload_id)
        if upload is None:
            raise EmulatedError(404, "NOT_FOUND", f"No upload session {upload_id!r}.")
        offset = int(handler.headers.get("X-Goog-Upload-Offset") or 0)
        if offset != len(upload["data"]):
            raise invalid(f"Upload offset {offset} does not match the {len(upload['data'])} bytes received so far.")
        upload["data"].extend(raw)
        if "finalize" not in command:
            handler._send(200, {}, {"X-Goog-Upload-Status": "active"})
            return
        meta = upload["meta"]
        stored = StoredFile(
            name=meta.get("name") or f"files/{uuid.uuid4().hex[:12]}", data=bytes(upload["data"]),
            mime_type=upload["mime_type"], display_name=meta.get("displayName") or "", source="UPLOADED",
        )
        with self.lock:
            self.files[stored.name] = stored
            del self.uploads[upload_id]
        handler._send(200, {"file": stored.resource(base_url)}, {"X-Goog-Upload-Status": "final"})

    def _stored(self, match) -> StoredFile:
        with self.lock:
            stored = self.files.get(f"files/{match['id']}")
        if stored is None:
            raise EmulatedError(404, "NOT_FOUND", f"File files/{match['id']} not found.")
        return stored

    def _file(self, handler, match, query, raw, base_url) -> None:
        handler._send(200, self._stored(match).resource(base_url))

    def _download(self, handler, match, query, raw, base_url) -> None:
        stored = self._stored(match)
        if stored.source != "GENERATED":
            raise invalid("Only generated files can be downloaded.")
        handler.send_response(200)
        handler.send_header("Content-Type", stored.mime_type)
        handler.send_header("Content-Length", str(len(stored.data)))
        handler.end_headers()
        handler.wfile.write(stored.data)
