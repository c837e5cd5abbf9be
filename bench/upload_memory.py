"""Peak memory of a web process per upload at the limits (issue 18, item 2).

    .venv/bin/python -m bench.upload_memory

For each case a fresh gunicorn (one worker process, four threads, platform/gunicorn.conf.py) gets
one upload over HTTP on loopback; the figure is the worker's peak resident memory (VmHWM from
/proc) after the upload minus its resident memory before it (after one warm-up upload, so
imports and the first database connection are not counted). The body is streamed from a
generator, so the client never holds it either.
"""

from __future__ import annotations

import io
import os
import time
from pathlib import Path

import requests

from bench._common import ROOT, SingleWorkerGunicorn, django_setup, memory_kib

MIB = 1024 * 1024


def _png(width: int, height: int, noise: bool = False) -> bytes:
    from PIL import Image

    image = Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)) if noise else Image.new("RGB", (width, height), (90, 140, 200))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    return out.getvalue()


class StreamedMultipart:
    """A multipart body read on demand; `payload` is bytes or a count of zero bytes. Its length
    is known, so it goes out with a Content-Length, as browsers send files."""

    boundary = "benchboundary"

    def __init__(self, name: str, payload):
        self.parts = [
            (f"--{self.boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"{name}\"\r\n"
             "Content-Type: application/octet-stream\r\n\r\n").encode(),
            payload,
            f"\r\n--{self.boundary}--\r\n".encode(),
        ]
        self.length = sum(len(p) if isinstance(p, bytes) else p for p in self.parts)
        self.offset = 0

    def __len__(self):
        return self.length

    def read(self, n=-1):
        n = MIB if n is None or n < 0 else n
        while self.parts:
            part = self.parts[0]
            if isinstance(part, bytes):
                out, self.parts[0] = part[:n], part[n:]
            else:
                out, self.parts[0] = b"\0" * min(n, part), part - min(n, part)
            if out:
                return out
            self.parts.pop(0)
        return b""


def measure(env: dict, var: Path, token: str, project: str, label: str, payload) -> None:
    with SingleWorkerGunicorn(env, var) as server:
        url = f"{server.url}/api/v1/projects/{project}/assets/"
        headers = {"Authorization": f"Token {token}"}
        warm = requests.post(url, headers=headers, files={"image": ("w.png", _png(64, 64))}, timeout=30)  # imports, connection, Pillow plugins
        assert warm.status_code == 201, warm.text
        before = memory_kib(server.worker, "VmRSS")
        body = StreamedMultipart("upload.png", payload)
        started = time.monotonic()
        response = requests.post(url, data=body, headers={**headers, "Content-Type": f"multipart/form-data; boundary={body.boundary}"}, timeout=300)
        seconds = time.monotonic() - started
        peak = memory_kib(server.worker, "VmHWM")
        print(f"{label:<46} {response.status_code:>4} {seconds:>6.2f} s   peak RSS {peak / 1024:7.1f} MiB"
              f"   (+{(peak - before) / 1024:6.1f} MiB over the idle worker's {before / 1024:.0f} MiB)")


def main() -> None:
    var = django_setup()
    from django.conf import settings

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from apps.projects.services import project_create

    user = get_user_model().objects.create(username="bench-uploads")
    token, project = Token.objects.create(user=user).key, str(project_create(user=user, name="bench").pk)
    env = {**os.environ, "VAR_DIR": str(var), "PYTHONPATH": str(ROOT)}
    limit, pixels = settings.UPLOAD_MAX_BYTES, settings.UPLOAD_MAX_PIXELS
    side = int(pixels ** 0.5)
    print(f"UPLOAD_MAX_BYTES={limit:,}  UPLOAD_MAX_PIXELS={pixels:,}  UPLOAD_DECODES_AT_ONCE={settings.UPLOAD_DECODES_AT_ONCE}")
    print(f"{'case':<46} {'code':>4} {'time':>8}")
    noisy_side = int((limit * 0.95 / 3) ** 0.5)
    noisy = _png(noisy_side, noisy_side, noise=True)
    measure(env, var, token, project, f"PNG of {len(noisy) / MIB:.1f} MiB ({noisy_side}x{noisy_side} noise)", noisy)
    big = _png(side, side)
    measure(env, var, token, project, f"PNG of {side}x{side} ({side * side / 1e6:.0f} MP, {len(big) / 1024:.0f} KiB)", big)
    bomb = _png(side + 200, side + 200)
    measure(env, var, token, project, f"PNG of {side + 200}x{side + 200} (over the pixel limit)", bomb)
    measure(env, var, token, project, "60 MiB body (over the byte limit)", 60 * MIB)


if __name__ == "__main__":
    main()
