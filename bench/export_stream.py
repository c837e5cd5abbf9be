"""Export of a project as a streamed zip: time to first byte, throughput and the web worker's
memory, for a small and a large project (issue 18, item 3).

    .venv/bin/python -m bench.export_stream [--files 40 400] [--mib 2]

Each project holds N approved assets of `--mib` MiB each (random bytes stored under their own
keys, local file storage). A fresh gunicorn (one worker, four threads) serves each export; the
client reads the body in 1 MiB pieces and discards it. Memory is the worker's peak resident
memory (VmHWM) minus its resident memory before the export (after a warm-up request).
"""

from __future__ import annotations

import argparse
import hashlib
import os
import time
import uuid

import requests

from bench._common import ROOT, SingleWorkerGunicorn, django_setup, memory_kib

MIB = 1024 * 1024


def make_project(user, files: int, mib: int) -> str:
    from apps.assets.files import file_write
    from apps.assets.models import Asset, Origin, ReviewStatus
    from apps.projects.services import project_create

    project = project_create(user=user, name=f"export-{files}")
    rows = []
    for _ in range(files):
        data = os.urandom(mib * MIB)
        key = file_write(f"projects/{project.pk}/uploads/{uuid.uuid4()}.png", data)
        rows.append(Asset(project=project, origin=Origin.UPLOAD, file=key, mime_type="image/png", width=1, height=1,
                          size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest(), review_status=ReviewStatus.APPROVED, created_by=user))
    Asset.objects.bulk_create(rows)
    return str(project.pk)


def measure(env, var, token: str, project: str, label: str) -> None:
    with SingleWorkerGunicorn(env, var) as server:
        headers = {"Authorization": f"Token {token}"}
        requests.get(f"{server.url}/api/v1/projects/{project}/", headers=headers, timeout=30).raise_for_status()  # warm-up
        before = memory_kib(server.worker, "VmRSS")
        started = time.monotonic()
        total, first = 0, None
        with requests.get(f"{server.url}/api/v1/projects/{project}/exports/", headers=headers, stream=True, timeout=600) as response:
            response.raise_for_status()
            for chunk in response.iter_content(MIB):
                if first is None:
                    first = time.monotonic() - started
                total += len(chunk)
        seconds = time.monotonic() - started
        peak = memory_kib(server.worker, "VmHWM")
        print(f"{label:<28} {total / MIB:8.0f} MiB  first byte {first * 1000:6.0f} ms  all {seconds:6.2f} s"
              f"  ({total / MIB / seconds:5.0f} MiB/s)  worker +{(peak - before) / 1024:5.1f} MiB over {before / 1024:.0f} MiB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, nargs="+", default=[40, 400])
    parser.add_argument("--mib", type=int, default=2)
    args = parser.parse_args()
    var = django_setup()
    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    user = get_user_model().objects.create(username="bench-export")
    token = Token.objects.create(user=user).key
    env = {**os.environ, "VAR_DIR": str(var), "PYTHONPATH": str(ROOT)}
    for files in args.files:
        project = make_project(user, files, args.mib)
        measure(env, var, token, project, f"{files} assets x {args.mib} MiB")


if __name__ == "__main__":
    main()
