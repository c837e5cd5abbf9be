"""Issue 30's figure: twelve placements from one 4K asset, CPU time in all and peak memory.

    .venv/bin/python -m bench.placements [--inner 5]

The asset is the emulator's photo-like 4K picture (4096×4096 PNG, about 1.3 bytes a pixel, as a
model's 4K answer weighs). In one fresh process, after a warm-up, each inner run:

  pixels  decode the stored file once (libvips, streamed from storage), then for each of the
          twelve placements crop around the focal point, scale, convert to sRGB and encode under
          its byte limit: what a renditions worker does before signing;
  signed  the full service path (apps.placements.services.placements_render_all without the
          catalogue's other five) from a fresh asset each run: the same, plus Content Credentials
          on every file (the asset's own credentialed copy is signed once, first) and the rows.

Printed: the median over the inner runs of CPU seconds (process time; libvips runs on one thread
here, pyvips.concurrency_set(1)) and wall seconds, and the peak RSS growth over the baseline
(VmHWM after /proc/self/clear_refs), against the issue's ceilings: 1.5 s of CPU, 300 MiB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

from bench._common import django_setup, memory_kib

TWELVE = [
    "meta_feed_1x1", "meta_feed_4x5", "meta_story", "google_demand_gen_1x1", "google_demand_gen_191x1",
    "google_demand_gen_9x16", "iab_medium_rectangle", "iab_leaderboard", "iab_wide_skyscraper", "iab_billboard",
    "iab_mobile_banner", "youtube_thumbnail",
]
CPU_CEILING_S = 1.5
MEMORY_CEILING_MIB = 300


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", type=int, default=5)
    args = parser.parse_args()
    django_setup()

    from django.core.management import call_command
    from django.core.files.storage import default_storage

    call_command("c2pa_dev_certificate", verbosity=0)

    from apps.assets.files import file_write
    from apps.assets.images import inspect_generated
    from apps.assets.models import Origin
    from apps.assets.services import asset_create
    from apps.core.storage_keys import upload_key
    from apps.gemini.emulator.render import render_photo
    from apps.placements import catalogue, rendering, services
    from apps.projects.models import Project

    placements = [catalogue.catalogue_placement(key) for key in TWELVE]
    project = Project.objects.create(name="bench placements")
    image = inspect_generated(render_photo(width=4096, height=4096))
    print(f"source: {image.width}×{image.height} PNG, {image.size_bytes / 2**20:.1f} MiB; {len(placements)} placements")

    def new_asset():
        key = upload_key(project_id=project.id, extension="png")
        file_write(key, image.data)
        return asset_create(project=project, key=key, image=image, origin=Origin.UPLOAD)

    def pixels(asset) -> int:
        total = 0
        with default_storage.open(asset.file.name, "rb") as source:
            decoded = rendering.source_open(source)
        for placement in placements:
            rendered = rendering.render(decoded, placement, (0.5, 0.5))
            total += len(rendering.encode(rendered.image, placement, placement.max_bytes).data)
        return total

    def signed(asset) -> int:
        source = services._Source(asset)
        return sum(services.placement_file(asset, placement, source=source).rendition.size_bytes for placement in placements)

    warm = new_asset()
    pixels(warm)
    signed(warm)

    for name, step in (("pixels", pixels), ("signed", signed)):
        assets = [new_asset() for _ in range(args.inner)]
        Path("/proc/self/clear_refs").write_text("5")
        base = memory_kib(os.getpid(), "VmRSS")
        cpus, walls = [], []
        for asset in assets:
            wall, cpu = time.perf_counter(), time.process_time()
            written = step(asset)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
        peak = (memory_kib(os.getpid(), "VmHWM") - base) / 1024
        cpu = statistics.median(cpus)
        print(
            f"{name:7} twelve placements: CPU {cpu:.2f} s (median of {args.inner}; ceiling {CPU_CEILING_S} s: "
            f"{'met' if cpu <= CPU_CEILING_S else 'MISSED'}), wall {statistics.median(walls):.2f} s, "
            f"peak RSS +{peak:.0f} MiB (ceiling {MEMORY_CEILING_MIB}: {'met' if peak <= MEMORY_CEILING_MIB else 'MISSED'}), "
            f"{written / 2**20:.1f} MiB written"
        )


if __name__ == "__main__":
    main()
