"""Figure 1: orchestration overhead. The same images made (a) through the whole platform (REST,
broker, worker, real SDK, emulator with a fixed latency, storage, rows) and (b) by a bare
google-genai loop with the same concurrency against the same emulator, side by side.

    .venv/bin/python -m bench.overhead                    # 100 at 1K and 20 at 4K, 2 s latency, 8 at once, 3 rounds
    .venv/bin/python -m bench.overhead --runs 1K:40 --latency 1 --repeat 1

The bare loop is the user's alternative, so it calls google-genai directly (the one place outside
apps/gemini that does). It runs twice: calling only, and also writing each image to a file (the
least a script does with its images; at 4K that write is about 50 ms of the 20 MB alone).

Keeping the figure about the platform on a machine that also runs the emulator:
- the emulator runs with `--prerendered`: each size is rendered once, before anything is timed,
  as a photo-like PNG of a real output's size (about 1.4 MB at 1K, 22 MB at 4K), so its CPU per
  answer is the JSON around ready bytes, the same for both sides;
- jobs are submitted over REST by as many client threads as the bare loop has;
- the generation worker serves `generations` and `webhooks` as the Procfile's does. Thumbnails are
  made after a job is done, on the `renditions` queue: its worker is held stopped (SIGSTOP) during
  each timed platform run and let go after it (as if on other cores), and its own CPU per
  thumbnail is printed apart.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

from bench._common import Platform, cpu_seconds, median

RATIO = "16:9"


def bare_loop(base_url: str, count: int, size: str, concurrency: int, save_to: Path | None = None) -> tuple[float, float]:
    """Wall seconds, and this process's CPU per image (what the SDK itself costs). With `save_to`,
    each image is also written to a file there, as the least a useful script does with it."""
    from google import genai
    from google.genai import types

    client = genai.Client(api_key="emulator", http_options=types.HttpOptions(base_url=base_url, timeout=300_000))
    config = types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"], image_config=types.ImageConfig(aspect_ratio=RATIO, image_size=size)
    )

    def one(i):
        response = client.models.generate_content(model="gemini-3.1-flash-image-preview", contents=f"bare image {i}", config=config)
        [image] = [p.inline_data.data for p in response.candidates[0].content.parts if p.inline_data]
        if save_to is not None:
            (save_to / f"{i}.png").write_bytes(image)

    started, cpu = time.perf_counter(), time.process_time()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - started, (time.process_time() - cpu) / count


def platform_run(platform: Platform, token: str, project: str, count: int, size: str, concurrency: int) -> tuple[float, float, float, list[str]]:
    """The jobs submitted over REST by `concurrency` client threads, as the bare loop calls upstream."""
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    worker, web = platform.processes["worker"].pid, platform.processes["web"].pid
    worker_cpu, web_cpu = cpu_seconds(worker), cpu_seconds(web)

    def submit(i) -> str:
        response = session.post(
            f"{platform.web_url}/api/v1/projects/{project}/generations/",
            json={"prompt": f"platform image {i}", "aspect_ratio": RATIO, "image_size": size},
        )
        response.raise_for_status()
        return response.json()["id"]

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        ids = list(pool.map(submit, range(count)))
    rows = platform.wait_finished(ids)
    wall = time.perf_counter() - started
    assert all(row.status == "succeeded" for row in rows), {row.status for row in rows}
    return wall, (cpu_seconds(worker) - worker_cpu) / count, (cpu_seconds(web) - web_cpu) / count, ids


def thumbnails_after(platform: Platform, job_ids: list[str]) -> float:
    """Lets the (stopped) renditions worker run until every thumbnail of these jobs exists, then
    stops it again; returns its CPU per thumbnail."""
    from apps.assets.models import Rendition
    from apps.assets.renditions import thumbnail_spec

    worker = platform.processes["renditions"].pid
    before = cpu_seconds(worker)
    os.kill(worker, signal.SIGCONT)
    try:
        made = Rendition.objects.filter(asset__generation_id__in=job_ids, spec=thumbnail_spec())
        deadline = time.monotonic() + 600
        while made.count() < len(job_ids):
            if time.monotonic() > deadline:
                raise RuntimeError("thumbnails were not made in time")
            time.sleep(0.05)
    finally:
        os.kill(worker, signal.SIGSTOP)
    return (cpu_seconds(worker) - before) / len(job_ids)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", nargs="+", default=["1K:100", "4K:20"], help="SIZE:COUNT pairs")
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3, help="rounds of (bare, bare+save, platform) per size; medians printed")
    args = parser.parse_args()

    sizes = [run.split(":")[0] for run in args.runs]
    with Platform(latency=args.latency, concurrency=args.concurrency, emulator_args=["--prerendered"]) as platform:
        platform.processes.pop("worker").terminate()
        platform.processes["worker"] = platform.start_worker("generations", queues="generations,webhooks")
        platform.processes["renditions"] = platform.start_worker("renditions", concurrency=2, queues="renditions")
        os.kill(platform.processes["renditions"].pid, signal.SIGSTOP)  # runs only between the timed runs
        made = platform.prerender([(RATIO, size) for size in sizes])
        token, project = platform.token_and_project()
        for size in sizes:  # warm-up: imports, first connections, each size once through every process
            bare_loop(platform.emulator_url, 2, size, 2)
            thumbnails_after(platform, platform_run(platform, token, project, 2, size, 2)[3])
        rows = []
        for run in args.runs:
            size, count = run.split(":")
            count = int(count)
            rounds = []
            for _ in range(args.repeat):  # the three side by side each round, so a noisy moment hits all of them
                bare, bare_cpu = bare_loop(platform.emulator_url, count, size, args.concurrency)
                saving, _ = bare_loop(platform.emulator_url, count, size, args.concurrency, save_to=Path(tempfile.mkdtemp(dir=platform.var)))
                wall, worker_cpu, web_cpu, ids = platform_run(platform, token, project, count, size, args.concurrency)
                rounds.append((bare, saving, wall, bare_cpu, worker_cpu, web_cpu, thumbnails_after(platform, ids)))
            rows.append((size, count, *(median(column) for column in zip(*rounds)), [r[2] / r[0] for r in rounds]))
        os.kill(platform.processes["renditions"].pid, signal.SIGCONT)  # so it can stop

    print(f"emulator latency {args.latency:g} s, concurrency {args.concurrency} (worker threads = bare-loop threads), "
          f"pre-rendered answers: " + ", ".join(f"{m['image_size']} {m['width']}x{m['height']} {m['bytes'] / 2**20:.1f} MiB" for m in made))
    print("CPU per image, ms: the bare loop's own process (the SDK), the generation worker, the web process, the renditions worker")
    print("bare: the SDK loop calling only; bare+save: also writing each image to a file")
    print(f"medians of {args.repeat} rounds; ratio = platform / bare (each round's ratio in brackets)")
    print(f"{'size':5} {'images':>6} {'bare s':>7} {'bare+save s':>12} {'platform s':>10} {'ratio':>6} {'ratio to bare+save':>19} "
          f"{'bare CPU':>9} {'worker CPU':>11} {'web CPU':>8} {'thumbnail CPU':>14}  rounds")
    for size, count, bare, saving, wall, bare_cpu, worker_cpu, web_cpu, thumb_cpu, ratios in rows:
        print(f"{size:5} {count:6} {bare:7.2f} {saving:12.2f} {wall:10.2f} {wall / bare:6.3f} {wall / saving:19.3f} "
              f"{bare_cpu * 1000:9.1f} {worker_cpu * 1000:11.1f} {web_cpu * 1000:8.1f} {thumb_cpu * 1000:14.1f}  "
              f"[{', '.join(f'{r:.3f}' for r in ratios)}]")
    print(f"load average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
