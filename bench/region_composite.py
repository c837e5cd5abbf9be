"""Issue 26's figure: the CPU a region edit spends beyond the upstream call — compositing the
model's answer into a 4K source (decode the source, scale the answer to the crop, blend through the
feathered mask, encode the PNG) — and its peak memory against the source's decoded size.

    .venv/bin/python -m bench.region_composite [--repeat 5]

The source is the emulator's photo-like 4K picture (5504x3072, what `--prerendered` answers), the
answers are photo-like pictures of the size each plan asks for. Each case runs in fresh processes
(so the peak RSS is its own), warmed on a small image first; the time is the median of INNER_RUNS
in that process (CPU: libvips runs on one thread here, as in the workers), the peak that of the
first run. Two floors show where the time goes: decoding the source alone, and decoding and
re-encoding it unchanged (what any lossless output must pay).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from bench._common import child_or_main, fresh_process_runs, median, memory_kib

SIZE = (5504, 3072)
INNER_RUNS = 5
CASES = {
    "middle": {"x": 0.4, "y": 0.35, "w": 0.2, "h": 0.25},
    "corner": {"x": 0.0, "y": 0.0, "w": 0.3, "h": 0.3},
    "large": {"x": 0.05, "y": 0.05, "w": 0.9, "h": 0.9},
    "tiny": {"x": 0.5, "y": 0.5, "w": 0.02, "h": 0.02},
    "marked": {"x": 0.6, "y": 0.2, "w": 0.2, "h": 0.3},
    "brush": None,
}


def _plan(case: str):
    from apps.assets import regions
    from apps.gemini import catalogue

    model = catalogue.get_model(catalogue.DEFAULT_MODEL)
    if case == "brush":
        region = regions.region_from_mask(_mask_png(), width=SIZE[0], height=SIZE[1])
    else:
        region = regions.region_from_rect(CASES[case], width=SIZE[0], height=SIZE[1])
    return regions.plan(region, model=model, mode="marked" if case == "marked" else "crop")


def _mask_png() -> bytes:
    import io

    from PIL import Image, ImageDraw

    paint = Image.new("L", SIZE, 0)
    ImageDraw.Draw(paint).ellipse((SIZE[0] * 0.3, SIZE[1] * 0.3, SIZE[0] * 0.55, SIZE[1] * 0.65), fill=255)
    out = io.BytesIO()
    paint.save(out, format="PNG")
    return out.getvalue()


def run_one(case: str, folder: str) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    import pyvips

    from apps.assets import images, regions  # noqa: F401 - images sets libvips up as the workers run it (no cache, one thread)
    from apps.assets.png import png_bytes

    folder = Path(folder)
    source = (folder / "source.png").read_bytes()
    plan = _plan(case) if case in CASES else None
    answer = (folder / f"answer-{case}.png").read_bytes() if plan else b""

    small = pyvips.Image.black(64, 64, bands=3).pngsave_buffer()  # libvips loaded and warm
    warm_region = regions.region_from_rect({"x": 0.25, "y": 0.25, "w": 0.5, "h": 0.5}, width=64, height=64)
    regions.composite(small, small, regions.Plan(warm_region, "crop", regions.Box(0, 0, 64, 64), "1:1", "512", (64, 64)))

    def once() -> None:
        if case == "decode-only":
            regions._load(source)
        elif case == "reencode":
            png_bytes(regions._load(source))
        else:
            regions.composite(source, answer, plan)

    Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
    base = memory_kib(os.getpid(), "VmRSS")
    cpus, walls = [], []
    for run in range(INNER_RUNS):
        wall, cpu = time.perf_counter(), time.process_time()
        once()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
        if run == 0:
            peak = memory_kib(os.getpid(), "VmHWM") - base
    return {"cpu": median(cpus), "seconds": median(walls), "peak_mib": peak / 1024}


def main():
    from bench._common import django_setup

    django_setup()
    from apps.gemini.emulator.render import render_photo

    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-region-"))
    (folder / "source.png").write_bytes(render_photo(width=SIZE[0], height=SIZE[1]))
    decoded_mib = SIZE[0] * SIZE[1] * 3 / 2**20
    answers = {}
    for case in CASES:
        plan = _plan(case)
        if plan.answer_pixels not in answers:
            answers[plan.answer_pixels] = render_photo(width=plan.answer_pixels[0], height=plan.answer_pixels[1])
        (folder / f"answer-{case}.png").write_bytes(answers[plan.answer_pixels])
    print(f"Compositing an answer into a {SIZE[0]}x{SIZE[1]} photo-like PNG source (decoded {decoded_mib:.1f} MiB); "
          f"{args.repeat} fresh processes x {INNER_RUNS} runs, medians. Goals: CPU <= 300 ms, peak < 3x decoded.")
    print(f"{'case':12} {'region px':>11} {'sent as':>12} {'CPU ms':>7} {'wall ms':>8} {'peak MiB':>9} {'x decoded':>9}")
    for case in ("decode-only", "reencode", *CASES):
        runs = fresh_process_runs("bench.region_composite", [case, str(folder)], args.repeat)
        cpu, wall, peak = (median([r[key] for r in runs]) for key in ("cpu", "seconds", "peak_mib"))
        if case in CASES:
            plan = _plan(case)
            box = plan.region.box
            shape, sent = f"{box.width}x{box.height}", f"{plan.aspect_ratio} {plan.image_size}"
        else:
            shape, sent = "-", "(floor)"
        print(f"{case:12} {shape:>11} {sent:>12} {cpu * 1000:7.0f} {wall * 1000:8.0f} {peak:9.1f} {peak / decoded_mib:9.2f}")


if __name__ == "__main__":
    child_or_main(run_one, main)
