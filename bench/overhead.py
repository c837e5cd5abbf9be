"""Figure 1: orchestration overhead. The same images made (a) through the whole platform (REST,
broker, worker, real SDK, emulator with a fixed latency, storage, rows, thumbnail) and (b) by a
bare google-genai loop with the same concurrency against the same emulator, side by side.

    .venv/bin/python -m bench.overhead                    # 100 at 1K and 20 at 4K, 2 s latency, 8 at once
    .venv/bin/python -m bench.overhead --runs 1K:40 --latency 1

The bare loop is the user's alternative, so it calls google-genai directly (the one place outside
apps/gemini that does).
"""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ThreadPoolExecutor

import requests

from bench._common import Platform, cpu_seconds


def bare_loop(base_url: str, count: int, size: str, concurrency: int) -> float:
    from google import genai
    from google.genai import types

    client = genai.Client(api_key="emulator", http_options=types.HttpOptions(base_url=base_url, timeout=300_000))
    config = types.GenerateContentConfig(
        response_modalities=["TEXT", "IMAGE"], image_config=types.ImageConfig(aspect_ratio="16:9", image_size=size)
    )

    def one(i):
        response = client.models.generate_content(model="gemini-3.1-flash-image-preview", contents=f"bare image {i}", config=config)
        assert any(p.inline_data for p in response.candidates[0].content.parts)

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(one, range(count)))
    return time.perf_counter() - started


def platform_run(platform: Platform, token: str, project: str, count: int, size: str) -> tuple[float, float, float]:
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    worker, web = platform.processes["worker"].pid, platform.processes["web"].pid
    worker_cpu, web_cpu = cpu_seconds(worker), cpu_seconds(web)
    started = time.perf_counter()
    ids = []
    for i in range(count):
        response = session.post(
            f"{platform.web_url}/api/v1/projects/{project}/generations/",
            json={"prompt": f"platform image {i}", "aspect_ratio": "16:9", "image_size": size},
        )
        response.raise_for_status()
        ids.append(response.json()["id"])
    rows = platform.wait_finished(ids)
    wall = time.perf_counter() - started
    assert all(row.status == "succeeded" for row in rows), {row.status for row in rows}
    return wall, (cpu_seconds(worker) - worker_cpu) / count, (cpu_seconds(web) - web_cpu) / count


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", nargs="+", default=["1K:100", "4K:20"], help="SIZE:COUNT pairs")
    parser.add_argument("--latency", type=float, default=2.0)
    parser.add_argument("--concurrency", type=int, default=8)
    args = parser.parse_args()

    with Platform(latency=args.latency, concurrency=args.concurrency) as platform:
        token, project = platform.token_and_project()
        platform_run(platform, token, project, 2, "1K")  # warm-up: imports, first connections
        rows = []
        for run in args.runs:
            size, count = run.split(":")
            count = int(count)
            bare = bare_loop(platform.emulator_url, count, size, args.concurrency)
            wall, worker_cpu, web_cpu = platform_run(platform, token, project, count, size)
            rows.append((size, count, bare, wall, worker_cpu, web_cpu))

    print(f"emulator latency {args.latency:g} s, concurrency {args.concurrency} (worker threads = bare-loop threads)")
    print(f"{'size':5} {'images':>6} {'bare s':>8} {'platform s':>10} {'ratio':>6} {'worker CPU ms/img':>18} {'web CPU ms/img':>15}")
    for size, count, bare, wall, worker_cpu, web_cpu in rows:
        print(f"{size:5} {count:6} {bare:8.2f} {wall:10.2f} {wall / bare:6.3f} {worker_cpu * 1000:18.1f} {web_cpu * 1000:15.1f}")


if __name__ == "__main__":
    main()
