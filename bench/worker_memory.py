"""Worker memory: the peak RSS of one generations worker process (the Procfile's: `--pool=threads
--concurrency=32 -Q generations`) while 32 4K jobs are in flight at once, against its idle RSS;
target under 2 GiB, so the Procfile's thread count is backed by a number.

    .venv/bin/python -m bench.worker_memory [--threads 32] [--size 4K] [--latency 12]

Waves: `--threads` jobs at once (all in flight together: each answer takes `--latency` s, so every
call is out before the first comes back), then twice as many (two waves through the same threads),
to show the peak does not grow with the number of jobs. Peak is VmHWM from /proc, reset between
waves through /proc/PID/clear_refs. The emulator runs with --prerendered in its own process, so its
memory and CPU are not counted and every answer is a photo-like PNG as heavy as a real one (~20 MB
at 4K, ~29 MB of base64 in the JSON).

    .venv/bin/python -m bench.worker_memory --worker-env MALLOC_ARENA_MAX=2   # glibc keeps two heaps, not 8 per core
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

import requests

from bench._common import Platform, memory_kib

RATIO = "16:9"


def in_flight_at_most(platform: Platform, since: float) -> int:
    """The most upstream calls open at one moment, from the emulator's log."""
    calls = [c for c in requests.get(f"{platform.emulator_url}/_emulator/requests", timeout=30).json()["requests"] if c["at"] >= since]
    edges = sorted([(c["at"], 1) for c in calls] + [(c["answered_at"], -1) for c in calls if c.get("answered_at")])
    most = open_now = 0
    for _, step in edges:
        open_now += step
        most = max(most, open_now)
    return most


def wave(platform: Platform, session, url: str, worker: int, jobs: int, size: str) -> dict:
    """`jobs` jobs submitted together; the worker's peak RSS while they ran (reset first)."""
    import time

    Path(f"/proc/{worker}/clear_refs").write_text("5")  # VmHWM := VmRSS now
    before = memory_kib(worker, "VmRSS")
    since = time.time()
    ids = [session.post(url, json={"prompt": f"memory {i}", "aspect_ratio": RATIO, "image_size": size}).json()["id"] for i in range(jobs)]
    rows = platform.wait_finished(ids)
    return {
        "jobs": jobs, "before": before, "peak": memory_kib(worker, "VmHWM"), "after": memory_kib(worker, "VmRSS"),
        "succeeded": sum(row.status == "succeeded" for row in rows), "in_flight": in_flight_at_most(platform, since),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--size", default="4K")
    parser.add_argument("--latency", type=float, default=12.0, help="the emulator's seconds per answer at --size")
    parser.add_argument("--worker-env", action="append", default=[], metavar="NAME=VALUE",
                        help="extra environment for the worker only, e.g. MALLOC_ARENA_MAX=2 to compare glibc allocator settings")
    args = parser.parse_args()

    with Platform(latency=f"{args.size}={args.latency:g}", concurrency=args.threads, emulator_args=["--prerendered"]) as platform:
        platform.processes.pop("worker").terminate()
        made = platform.prerender([[RATIO, args.size]])[0]
        platform.env.update(pair.split("=", 1) for pair in args.worker_env)
        worker = platform.processes["worker"] = platform.start_worker("generations", queues="generations")
        token, project = platform.token_and_project()
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        url = f"{platform.web_url}/api/v1/projects/{project}/generations/"
        idle = memory_kib(worker.pid, "VmRSS")
        waves = [wave(platform, session, url, worker.pid, jobs, args.size) for jobs in (args.threads, 2 * args.threads)]

    mib = 1024
    load = os.getloadavg()
    print(f"one worker process, --pool=threads --concurrency={args.threads} -Q generations; {args.size} {RATIO} answers of "
          f"{made['width']}x{made['height']}, {made['bytes'] / 1e6:.1f} MB PNG (pre-rendered), emulator latency {args.latency:g} s"
          f"{''.join(f', worker env {pair}' for pair in args.worker_env)}")
    print(f"  idle RSS after start: {idle / mib:.0f} MiB")
    for w in waves:
        per_job = (w["peak"] - idle) / w["in_flight"]
        print(f"  {w['jobs']:3d} jobs ({w['succeeded']} succeeded, at most {w['in_flight']} calls in flight): peak RSS "
              f"{w['peak'] / mib:.0f} MiB (target < 2048 MiB), {per_job / mib:.1f} MiB per in-flight job above idle; "
              f"RSS {w['before'] / mib:.0f} MiB before the wave, {w['after'] / mib:.0f} MiB after")
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
