"""Export of a project of 4K assets as a streamed zip: time to first byte, throughput and the web
worker's memory, at 100 and 1,000 assets (issue 20, "Export"; first written for issue 18).

    .venv/bin/python -m bench.export_stream [--assets 100 1000] [--first-export 100] [--images 4]

What a user sees, in two states of the project's Content Credentials (an export sends each asset's
credentialed copy, signed by the first export or download that needs it):
  signed      every copy is signed already (the state after a first export): first byte, total.
  first-ever  nothing is signed yet: the export signs each asset as its turn comes, so the first
              byte waits for the first signing and the total includes them all.

Assets are real 4K generations: 5504x3072 photo-like PNGs (the emulator's `render_photo`,
about 21 MiB, as a real 4K output), each with its job, one shared reference image, its 384 px
thumbnail and an approving review, so the credentials plan and the manifest carry what a real
one does. `--images` distinct PNGs are made and hard-linked under every asset's own key (local
file storage): 1,000 x 21 MiB would be 21 GiB of writes. The files are therefore read from the
page cache: the figures are the platform's cost, not the disk's or a bucket's.

Signing 1,000 4K assets for real would take many minutes, so:
  - first-ever is measured on `--first-export` assets (default 100), signed for real by the export.
  - signed: one asset per distinct image is signed for real; every other asset gets a Rendition row
    under the very spec the export computes for it (credentials._plan: its review log, thumbnail,
    reference...), whose file is a hard link of the real signed copy of its image. The export does
    exactly its work (plan, find the copy, stream it); only the signature inside those bytes names
    the sibling asset, which nothing in the export reads.

A fresh gunicorn (one worker, four threads, as the README's deployment) serves each export; the
client reads the body as it comes (first byte: its first piece) and discards it. Memory: the worker's peak resident memory
(VmHWM, reset after a warm-up request) minus its resident memory before the export. The queries
and the Python memory held for manifest.json are counted in this process, by iterating the
export's entries (the files are not read) on the signed projects. The throw-away VAR_DIR (2 GiB
of signed copies after a first-ever export of 100) is removed at the end.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import shutil
import time
import tracemalloc
import uuid
from pathlib import Path

import requests

from bench._common import ROOT, SingleWorkerGunicorn, django_setup, memory_kib

MIB = 1024 * 1024
SIZE = (5504, 3072)  # 4K at 16:9
MODEL = "gemini-3-pro-image-preview"


class Images:
    """The distinct 4K PNGs and their thumbnails, stored once; assets hard-link them."""

    def __init__(self, count: int):
        from django.core.files.storage import default_storage

        from apps.assets.files import file_write
        from apps.assets.images import make_thumbnail
        from apps.gemini.emulator.render import render_photo

        self.sources = []
        for seed in range(count):
            data = render_photo(width=SIZE[0], height=SIZE[1])  # its noise is fresh each time: distinct files
            thumb = make_thumbnail(io.BytesIO(data))
            png, webp = file_write(f"bench/sources/{seed}.png", data), file_write(f"bench/sources/{seed}.webp", thumb.data)
            self.sources.append({
                "png": default_storage.path(png), "webp": default_storage.path(webp), "size": len(data),
                "sha256": hashlib.sha256(data).hexdigest(), "thumb": (thumb.size_bytes, thumb.width, thumb.height),
            })
        self.signed: dict[int, str] = {}  # image index -> path of a real signed copy of it

    @staticmethod
    def link(source: str, key: str) -> str:
        from django.core.files.storage import default_storage

        target = Path(default_storage.path(key))
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(source, target)
        return key


def make_project(user, images: Images, count: int):
    """A project with `count` approved 4K generations, one reference image shared by their jobs."""
    from apps.approvals.models import Review
    from apps.assets.files import file_write
    from apps.assets.models import Asset, Rendition, ReviewStatus
    from apps.assets.renditions import thumbnail_spec
    from apps.generations.models import Generation, GenerationReference
    from apps.library.models import EntryKind, LibraryEntry, ReferenceImage
    from apps.projects.services import project_create

    project = project_create(user=user, name=f"export-{count}-{uuid.uuid4().hex[:6]}")
    entry = LibraryEntry.objects.create(project=project, kind=EntryKind.CHARACTER, name="Mia", description="mascot")
    reference_webp = Path(images.sources[0]["webp"]).read_bytes()
    _, width, height = images.sources[0]["thumb"]
    reference = ReferenceImage.objects.create(
        entry=entry, file=file_write(f"projects/{project.pk}/library/mia.webp", reference_webp), mime_type="image/webp",
        width=width, height=height, size_bytes=len(reference_webp), sha256=hashlib.sha256(reference_webp).hexdigest(),
    )
    jobs = Generation.objects.bulk_create([
        Generation(project=project, kind="generate", prompt=f"Mia at the harbour at dawn, shot {i}", model=MODEL, aspect_ratio="16:9",
                   image_size="4K", status="succeeded", model_version=MODEL, created_by=user)
        for i in range(count)
    ])
    GenerationReference.objects.bulk_create([
        GenerationReference(generation=job, reference_image=reference, label="Mia", sha256=reference.sha256, position=0) for job in jobs
    ])
    assets, thumbnails = [], []
    for i, job in enumerate(jobs):
        source = images.sources[i % len(images.sources)]
        key = images.link(source["png"], f"projects/{project.pk}/generations/{job.pk}/0.png")
        asset = Asset(project=project, generation=job, file=key, mime_type="image/png", width=SIZE[0], height=SIZE[1],
                      size_bytes=source["size"], sha256=source["sha256"], model_version=MODEL, review_status=ReviewStatus.APPROVED,
                      created_by=user)
        assets.append(asset)
        size, width, height = source["thumb"]
        thumbnails.append(Rendition(asset=asset, spec=thumbnail_spec(), file=images.link(source["webp"], f"{key[:-4]}.thumb.webp"),
                                    mime_type="image/webp", width=width, height=height, size_bytes=size))
    Asset.objects.bulk_create(assets)
    Rendition.objects.bulk_create(thumbnails)
    Review.objects.bulk_create([Review(asset=asset, reviewer=user, decision="approve", comment="on brand") for asset in assets])
    return project


def sign_ahead(images: Images, project) -> None:
    """Each asset's credentialed copy as the export will ask for it (see the docstring)."""
    from django.core.files.storage import default_storage

    from apps.assets import credentials, signing
    from apps.assets.models import Asset, Rendition

    signer = signing.signing_credentials()
    rows = []
    queryset = Asset.objects.filter(project=project).select_related("project", "generation", "created_by").order_by("created_at", "id")
    for index, asset in enumerate(queryset):
        image = index % len(images.sources)
        if image not in images.signed:  # the first asset of each image is signed for real
            images.signed[image] = default_storage.path(credentials.credentialed_file(asset).file.name)
            continue
        plan = credentials._plan(asset, memo={}, credentials=signer)
        key = images.link(images.signed[image], f"{asset.file.name[:-4]}.{plan.spec.replace(':', '-')}.bench.png")
        rows.append(Rendition(asset=asset, spec=plan.spec, file=key, mime_type=asset.mime_type, width=asset.width,
                              height=asset.height, size_bytes=os.path.getsize(images.signed[image])))
    Rendition.objects.bulk_create(rows)


def count_in_process(project) -> tuple[int, float, int]:
    """The export's queries, the Python memory it still holds when manifest.json is made (the
    manifest lines kept for it, after a full collection) and that file's size."""
    import gc

    from django.db import connection

    from apps.assets.api.serializers import AssetFilterSerializer
    from apps.assets.exports import export_entries

    filters = AssetFilterSerializer(data={"review_status": "approved"})
    filters.is_valid(raise_exception=True)
    queries = 0

    def counted(execute, *args):
        nonlocal queries
        queries += 1
        return execute(*args)

    gc.collect()
    tracemalloc.start()
    with connection.execute_wrapper(counted):
        for entry in export_entries(project=project, filters=filters.validated_data):
            if entry.arcname == "manifest.json":
                gc.collect()
                held, manifest = tracemalloc.get_traced_memory()[0], b"".join(entry.chunks)
    tracemalloc.stop()
    return queries, held / MIB, len(manifest)


def export(env, var, token: str, project) -> dict:
    with SingleWorkerGunicorn(env, var) as server:
        headers = {"Authorization": f"Token {token}"}
        requests.get(f"{server.url}/api/v1/projects/{project.pk}/", headers=headers, timeout=30).raise_for_status()  # warm-up
        Path(f"/proc/{server.worker}/clear_refs").write_text("5")  # the peak so far (start-up, warm-up) is forgotten
        before = memory_kib(server.worker, "VmRSS")
        started = time.monotonic()
        total, first = 0, None
        with requests.get(f"{server.url}/api/v1/projects/{project.pk}/exports/", headers=headers, stream=True, timeout=3600) as response:
            response.raise_for_status()
            for chunk in response.iter_content(MIB):
                if first is None:
                    first = time.monotonic() - started
                total += len(chunk)
        seconds = time.monotonic() - started
        return {"mib": total / MIB, "first": first, "seconds": seconds, "worker_mib": (memory_kib(server.worker, "VmHWM") - before) / 1024,
                "idle_mib": before / 1024}


def line(label: str, figures: dict, extra: str = "") -> str:
    return (f"{label:<24} {figures['mib']:7.0f} MiB  first byte {figures['first'] * 1000:6.0f} ms  all {figures['seconds']:7.1f} s"
            f"  {figures['mib'] / figures['seconds']:5.0f} MiB/s  worker +{figures['worker_mib']:5.1f} MiB{extra}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--assets", type=int, nargs="+", default=[100, 1000], help="project sizes, copies signed ahead")
    parser.add_argument("--first-export", type=int, default=100, help="project size for a first-ever export (0: skip)")
    parser.add_argument("--images", type=int, default=4, help="distinct 4K PNGs the assets share")
    args = parser.parse_args()
    var = django_setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from rest_framework.authtoken.models import Token

    call_command("c2pa_dev_certificate", verbosity=0)
    user = get_user_model().objects.create(username="bench-export")
    token = Token.objects.create(user=user).key
    env = {**os.environ, "VAR_DIR": str(var), "PYTHONPATH": str(ROOT)}
    try:
        images = Images(args.images)
        print(f"{args.images} distinct {SIZE[0]}x{SIZE[1]} PNGs of {sum(s['size'] for s in images.sources) / len(images.sources) / MIB:.1f} MiB;"
              f" one gunicorn worker x 4 threads per export; load average {os.getloadavg()[0]:.1f}")
        for count in args.assets:
            project = make_project(user, images, count)
            sign_ahead(images, project)
            queries, held_mib, manifest_bytes = count_in_process(project)
            figures = export(env, var, token, project)
            print(line(f"signed, {count} assets", figures,
                       f"  ({queries / count:.1f} queries/asset, manifest.json {manifest_bytes / 1024:.0f} KiB, held for it {held_mib:.1f} MiB;"
                       f" load {os.getloadavg()[0]:.1f})"))
        if args.first_export:
            project = make_project(user, images, args.first_export)
            figures = export(env, var, token, project)
            print(line(f"first-ever, {args.first_export} assets", figures, f"  (signs each; load {os.getloadavg()[0]:.1f})"))
    finally:
        shutil.rmtree(var, ignore_errors=True)


if __name__ == "__main__":
    main()
