"""Figure 4: time and peak memory to thumbnail a 4K image: ours (libvips, streaming from the stored
file) against Pillow decoding the image alone (the floor the issue measures against), a naive
Pillow open-and-resize, and Pillow's best path (draft, reduce, thumbnail: what we used before).

    .venv/bin/python -m bench.renditions [--repeat 5]

The PNG is photo-like (gradients and fine noise, about 1.5 bytes a pixel, as a model's 4K output
is), not a flat drawing that would compress to nothing. Each method runs in a fresh subprocess so
its peak RSS is its own; both libraries are loaded and warmed before the baseline is read, and the
time is the median of INNER_RUNS runs in that process (wall and CPU; libvips may use two threads), the peak that of the first run.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path

from bench._common import child_or_main, fresh_process_runs, median, memory_kib

SIZE = (5504, 3072)
INNER_RUNS = 5


def sample_image(fmt: str) -> bytes:
    """The emulator's photo-like picture (what `--prerendered` answers), as PNG or re-encoded as JPEG."""
    from PIL import Image

    from apps.gemini.emulator.render import render_photo

    png = render_photo(width=SIZE[0], height=SIZE[1])
    if fmt == "PNG":
        return png
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).save(out, format=fmt, quality=92)
    return out.getvalue()


def run_one(method: str, path: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from PIL import Image

    from apps.assets.images import make_thumbnail

    # Both libraries loaded and warm (a small image of each format through every step) before the baseline.
    warm = io.BytesIO()
    Image.new("RGB", (800, 600)).save(warm, format=Path(path).suffix[1:].replace("jpg", "jpeg"))
    Image.open(io.BytesIO(warm.getvalue())).load()
    make_thumbnail(io.BytesIO(warm.getvalue()))
    _pillow_best(warm.getvalue())
    data = Path(path).read_bytes() if method != "ours" else b""

    def once() -> None:
        if method == "ours":
            with open(path, "rb") as stored:  # as the renditions queue reads it from storage
                make_thumbnail(stored)
        elif method == "pillow-best":
            _pillow_best(data)
        elif method == "naive":
            image = Image.open(io.BytesIO(data)).convert("RGB")
            image = image.resize((384, round(384 * image.height / image.width)), Image.Resampling.LANCZOS)
            image.save(io.BytesIO(), format="WEBP", quality=82)
        else:  # decode only: the floor
            Image.open(io.BytesIO(data)).load()

    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    base = memory_kib(os.getpid(), "VmRSS")
    walls, cpus = [], []
    for run in range(INNER_RUNS):  # a renditions worker is a long-lived process: time it warm
        wall, cpu = time.perf_counter(), time.process_time()
        once()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
        if run == 0:
            peak = memory_kib(os.getpid(), "VmHWM") - base  # one image's own peak
    return {"seconds": median(walls), "cpu": median(cpus), "peak_mib": peak / 1024}


def _pillow_best(data: bytes) -> None:
    """The Pillow path the platform used before libvips: draft (JPEG), integer reduce, then resample."""
    from PIL import Image, ImageOps

    with Image.open(io.BytesIO(data)) as image:
        image.draft("RGB", (384, 384))
        image.load()
        factor = max(image.size) // (2 * 384)
        if factor > 1:
            image = image.reduce(factor)
        ImageOps.exif_transpose(image, in_place=True)
        image.thumbnail((384, 384), Image.Resampling.LANCZOS)
        image.save(io.BytesIO(), format="WEBP", quality=82, method=4)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Thumbnail (384 px WebP) of a {SIZE[0]}x{SIZE[1]} image; each method in {args.repeat} fresh processes x {INNER_RUNS} runs, medians")
    print(f"{'format':6} {'method':12} {'wall ms':>8} {'CPU ms':>7} {'peak MiB':>9}")
    folder = Path(tempfile.mkdtemp(prefix="bench-renditions-"))
    for fmt in ("PNG", "JPEG"):
        path = folder / f"sample.{fmt.lower()}"
        results = {}
        path.write_bytes(sample_image(fmt))
        print(f"{fmt} sample: {path.stat().st_size / 2**20:.1f} MiB")
        results, peaks = {}, {}
        for method in ("decode-only", "naive", "pillow-best", "ours"):
            runs = fresh_process_runs("bench.renditions", [method, str(path)], args.repeat)
            results[method] = median([r["seconds"] for r in runs])
            peaks[method] = median([r["peak_mib"] for r in runs])
            print(f"{fmt:6} {method:12} {results[method] * 1000:8.0f} {median([r['cpu'] for r in runs]) * 1000:7.0f} {peaks[method]:9.1f}")
        print(f"{fmt:6} ours/decode-only: time {results['ours'] / results['decode-only']:.2f}x, peak memory "
              f"{peaks['ours'] / max(peaks['decode-only'], 0.1):.2f}x; ours/naive {results['ours'] / results['naive']:.2f}x; "
              f"ours/pillow-best {results['ours'] / results['pillow-best']:.2f}x")


if __name__ == "__main__":
    child_or_main(run_one, main)
