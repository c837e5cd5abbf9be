"""Figure 4: time and peak memory to thumbnail a 4K image, ours against a naive open-and-resize.

    .venv/bin/python -m bench.renditions [--repeat 5]

Each method runs in a fresh subprocess so its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import io
import resource
import tempfile
import time
from pathlib import Path

from bench._common import child_or_main, fresh_process_runs

SIZE = (5504, 3072)


def sample_image(fmt: str) -> bytes:
    from apps.gemini.emulator.render import render_png
    from PIL import Image

    png = render_png(width=SIZE[0], height=SIZE[1], prompt="benchmark: a harbour at dawn with boats and gulls", inputs=[], caption="bench")
    if fmt == "PNG":
        return png
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).convert("RGB").save(out, format=fmt, quality=92)
    return out.getvalue()


def run_one(method: str, path: str) -> dict:
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from PIL import Image

    from apps.assets.images import make_thumbnail

    data = Path(path).read_bytes()
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    if method == "ours":
        make_thumbnail(data)
    elif method == "naive":
        image = Image.open(io.BytesIO(data)).convert("RGB")
        image = image.resize((384, round(384 * image.height / image.width)), Image.Resampling.LANCZOS)
        image.save(io.BytesIO(), format="WEBP", quality=82)
    else:  # decode only: the floor
        Image.open(io.BytesIO(data)).load()
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"seconds": seconds, "peak_mib": (peak - base) / 1024}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"Thumbnail (384 px WebP) of a {SIZE[0]}x{SIZE[1]} image; median of {args.repeat} runs, each in a fresh process")
    print(f"{'format':6} {'method':12} {'median ms':>10} {'peak MiB':>9}")
    folder = Path(tempfile.mkdtemp(prefix="bench-renditions-"))
    for fmt in ("PNG", "JPEG"):
        path = folder / f"sample.{fmt.lower()}"
        path.write_bytes(sample_image(fmt))
        results = {}
        for method in ("decode-only", "naive", "ours"):
            runs = fresh_process_runs("bench.renditions", [method, str(path)], args.repeat)
            seconds = sorted(r["seconds"] for r in runs)[len(runs) // 2]
            peak = sorted(r["peak_mib"] for r in runs)[len(runs) // 2]
            results[method] = seconds
            print(f"{fmt:6} {method:12} {seconds * 1000:10.0f} {peak:9.1f}")
        print(f"{fmt:6} ours/naive = {results['ours'] / results['naive']:.2f}, ours/decode-only = {results['ours'] / results['decode-only']:.2f}")


if __name__ == "__main__":
    child_or_main(run_one, main)
