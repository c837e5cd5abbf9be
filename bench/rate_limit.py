"""Figure 5: throughput under a rate limit. Several worker processes share the platform's
per-model limit; the emulator enforces the same RPM and answers 429 past it.

    .venv/bin/python -m bench.rate_limit [--rpm 120] [--jobs 60] [--workers 3]

Theoretical minimum: the first call is free, then one slot every 60/RPM seconds, so
(jobs - 1) * 60 / RPM.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request

import requests

from bench._common import Platform


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rpm", type=int, default=120)
    parser.add_argument("--jobs", type=int, default=60)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()

    env = {"GEMINI_RPM": f"nano-banana-2={args.rpm}", "GENERATION_RETRY_BASE_SECONDS": "0.5"}
    with Platform(latency=0.2, concurrency=4, rpm=args.rpm, extra_env=env) as platform:
        for n in range(2, args.workers + 1):
            platform.processes[f"worker{n}"] = platform.start_worker(f"worker{n}")
        token, project = platform.token_and_project()
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        url = f"{platform.web_url}/api/v1/projects/{project}/generations/"
        started = time.perf_counter()
        ids = [session.post(url, json={"prompt": f"limited {i}", "image_size": "512"}).json()["id"] for i in range(args.jobs)]
        rows = platform.wait_finished(ids, timeout=args.jobs * 60 / args.rpm * 3 + 60)
        wall = time.perf_counter() - started
        with urllib.request.urlopen(f"{platform.emulator_url}/_emulator/requests") as response:
            log = json.load(response)["requests"]

    succeeded = sum(row.status == "succeeded" for row in rows)
    minimum = (args.jobs - 1) * 60 / args.rpm
    print(f"{args.jobs} jobs, {args.workers} worker processes x 4 threads, limit {args.rpm} RPM (platform and emulator)")
    print(f"succeeded {succeeded}/{args.jobs}; upstream calls {len(log)}; 429s seen {sum(c['status'] == 429 for c in log)}")
    print(f"wall {wall:.1f} s against a theoretical minimum of {minimum:.1f} s: {wall / minimum:.2f}x")


if __name__ == "__main__":
    main()
