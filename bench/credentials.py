"""What Content Credentials cost: time and peak memory to credential a 4K PNG, against copying it.

    .venv/bin/python -m bench.credentials [--repeat 5]

Methods, each timed (wall and CPU: the CPU figure holds on a shared, loaded machine) in a fresh
process (so its peak RSS is its own) on the same stored asset:
  copy       read the stored original and write it to a new storage key (what a plain export does)
  generated  credential a 4K generation (one reference image, one review): sign, store the rendition
  edited     credential a 4K edit of that generation, whose own credentialed copy is already cached:
             the parent's signed file is read and nested as an ingredient
  cached     a second request for the edit's credentials: the spec is computed, nothing is signed
The sample is the emulator's 4K render with noise over it, so it compresses like a photograph.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import io
import os
import time
from pathlib import Path

from bench._common import child_or_main, django_setup, fresh_process_runs, median

SIZE = (5504, 3072)  # 4K at 16:9
MODEL = "gemini-3-pro-image-preview"


def rss_mib(field: str) -> float:
    """VmRSS (now) or VmHWM (peak) of this process: per address space, so unlike ru_maxrss it does
    not inherit the parent's high-water mark across exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"{field} not in /proc/self/status")


@functools.cache
def sample_png() -> bytes:
    from PIL import Image

    from apps.gemini.emulator.render import render_png

    base = Image.open(io.BytesIO(render_png(width=SIZE[0], height=SIZE[1], prompt="benchmark: a harbour at dawn", inputs=[], caption="bench")))
    noise = Image.effect_noise(SIZE, 48).convert("RGB")
    out = io.BytesIO()
    Image.blend(base.convert("RGB"), noise, 0.2).save(out, format="PNG")
    return out.getvalue()


def make_assets() -> dict:
    """A project with a 4K generation (one reference image, approved) and a 4K edit of it."""
    import uuid

    from django.contrib.auth import get_user_model
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.approvals.models import Review
    from apps.assets.credentials import credentialed_file
    from apps.assets.files import file_write
    from apps.assets.images import inspect_generated
    from apps.assets.models import Relation
    from apps.assets.services import asset_create
    from apps.generations.models import Generation, GenerationReference
    from apps.library.models import EntryKind, LibraryEntry, ReferenceImage
    from apps.projects.services import project_create

    user = get_user_model().objects.create(username=f"bench-{uuid.uuid4().hex[:8]}")
    project = project_create(user=user, name="bench")
    entry = LibraryEntry.objects.create(project=project, kind=EntryKind.CHARACTER, name="Mia", description="mascot")
    from PIL import Image

    out = io.BytesIO()
    Image.open(io.BytesIO(sample_png())).resize((1376, 768)).save(out, format="PNG")  # references are smaller
    reference_bytes = out.getvalue()
    key = default_storage.save(f"bench/{uuid.uuid4()}.png", ContentFile(reference_bytes))
    reference = ReferenceImage.objects.create(
        entry=entry, file=key, mime_type="image/png", width=1376, height=768, size_bytes=len(reference_bytes),
        sha256=hashlib.sha256(reference_bytes).hexdigest(),
    )
    assets = {}
    parent = None
    for kind in ("generate", "edit"):
        job = Generation.objects.create(
            project=project, kind=kind, prompt="Mia at the harbour", model=MODEL, aspect_ratio="16:9", image_size="4K",
            status="succeeded", model_version=MODEL, created_by=user,
        )
        if kind == "generate":
            GenerationReference.objects.create(generation=job, reference_image=reference, label="Mia", sha256=reference.sha256, position=0)
        image = inspect_generated(sample_png())
        key = f"projects/{project.pk}/generations/{job.pk}/0.png"
        file_write(key, image.data)
        asset = asset_create(
            project=project, key=key, image=image, origin="generated", generation=job,
            model_version=MODEL, parents=[(parent, Relation.EDITED_FROM)] if parent else [],
        )
        Review.objects.create(asset=asset, reviewer=user, decision="approve", comment="on brand")
        assets[kind] = str(asset.pk)
        parent = asset
    credentialed_file(parent.__class__.objects.get(pk=assets["generate"]))  # the edit's parent is cached
    return {**assets, "bytes": len(image.data)}


def run_one(method: str, asset_id: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from apps.assets.credentials import SPEC_PREFIX, credentialed_file
    from apps.assets.models import Asset, Rendition

    asset = Asset.objects.select_related("project", "generation", "created_by").get(pk=asset_id)
    if method in ("generated", "edited"):
        Rendition.objects.filter(asset=asset, spec__startswith=SPEC_PREFIX).delete()
    Path("/proc/self/clear_refs").write_text("5")  # the peak so far (Django's start-up) is forgotten
    base = rss_mib("VmRSS")
    started, cpu_started = time.perf_counter(), time.process_time()
    if method == "copy":
        with default_storage.open(asset.file.name, "rb") as source:
            key = default_storage.save(f"bench-copies/{asset.pk}.png", ContentFile(source.read()))
        default_storage.delete(key)
    else:
        credentialed_file(asset)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"seconds": seconds, "cpu": cpu, "peak_mib": rss_mib("VmHWM") - base}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    var = django_setup()
    from django.core.management import call_command

    call_command("c2pa_dev_certificate")
    assets = make_assets()
    print(f"Content Credentials on a {SIZE[0]}x{SIZE[1]} PNG of {assets['bytes'] / 2**20:.1f} MiB; median of {args.repeat} runs, each in a fresh process")
    print(f"{'method':10} {'wall ms':>8} {'CPU ms':>8} {'peak MiB':>9}")
    env = {**os.environ, "VAR_DIR": str(var)}
    results = {}
    for method, asset_id in (("copy", assets["generate"]), ("generated", assets["generate"]), ("edited", assets["edit"]), ("cached", assets["edit"])):
        runs = fresh_process_runs("bench.credentials", [method, asset_id], args.repeat, env=env)
        results[method] = median([r["cpu"] for r in runs])
        wall = median([r["seconds"] for r in runs])
        print(f"{method:10} {wall * 1000:8.0f} {results[method] * 1000:8.0f} {median([r['peak_mib'] for r in runs]):9.1f}")
    print(f"CPU: generated/copy = {results['generated'] / results['copy']:.1f}x, edited/copy = {results['edited'] / results['copy']:.1f}x")


if __name__ == "__main__":
    child_or_main(run_one, main)
