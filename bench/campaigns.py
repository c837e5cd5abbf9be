"""Campaign figures.

    .venv/bin/python -m bench.campaigns [--cells 500] [--rpm 60] [--latency 512=4,1K=6,2K=8,4K=12]

1. Creating a stage of `--cells` jobs in one request: POST /api/v1/campaigns/{id}/run/ with
   {"stage": "drafts"} on a campaign of that many cells (no worker running, so only the request
   is timed: validation, one budget check, bulk inserts, enqueueing every id on commit). Three runs.
2. Campaign throughput: the 36-final campaign (3 products x 2 scenes x 2 formats x source + 2
   languages), every stage on nano-banana-2 (drafts and translations at 512, the campaign's draft
   size; finals at 4K), with the emulator answering after the real models' latencies per size and
   both the emulator (--rpm) and the platform (GEMINI_RPM) holding nano-banana-2 to `--rpm`
   requests a minute. One generations worker process with 32 threads (the Procfile's), so
   concurrency never binds (12 s x 1 call/s needs 13 in flight), and the renditions worker making
   thumbnails beside it on the same cores, as the Procfile runs them. Reviews between stages as a reviewer makes them
   (review_decide). The worker has run one job before (a fresh process's first job pays ~1 s of
   one-time set-up). For each stage: wall time from its run request to its last image stored,
   against the theoretical minimum, (N - 1) x 60 / RPM + that size's latency for the stage's N
   upstream calls (the first call is free, then one slot every 60/RPM s, and the last answer
   takes its latency), their ratio (target <= 1.05x), and the 429s the emulator answered. A
   breakdown says where any time above the minimum went: delay to the first call, call spacing
   above 60/RPM, the emulator's answer above its latency, and the tail from the last answer to
   the last image stored.

The emulator's CPU is kept out of the figures: it runs with --prerendered, so every answer of a
size reuses one photo-like PNG (rendered before the clock starts, its base64 spliced into the
reply as sent) and costs the emulator only the JSON around it, while the images stay as heavy as
a real model's (a 4K PNG is ~20 MB) for the platform to receive, decode, store and thumbnail.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import shutil
import statistics
import time

import requests
from PIL import Image

from bench._common import Platform

MODEL = "nano-banana-2"
FORMATS = ["4:5", "9:16"]


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 128), colour).save(out, format="PNG")
    return out.getvalue()


def api(platform: Platform) -> tuple[requests.Session, str]:
    token, project = platform.token_and_project()
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    return session, project


def library(session, base, project, products: int):
    """A character and `products` products, each with one reference image, over REST."""
    def entry(kind, name, colour):
        made = session.post(f"{base}/api/v1/projects/{project}/{kind}/", json={"name": name, "description": "bench"}).json()
        session.post(f"{base}/api/v1/{kind}/{made['id']}/images/", files={"image": ("r.png", png(colour), "image/png")}).raise_for_status()
        return made["id"]

    character = entry("characters", "Mia", (200, 40, 40))
    return character, [entry("objects", f"Product {i}", (20, 10 * i % 255, 160)) for i in range(products)]


def stage_creation(platform: Platform, cells: int) -> list[float]:
    """Runs with no worker, so only the request is timed; leaves every job it made canceled and
    the broker folder empty."""
    from django.conf import settings

    from apps.gemini import catalogue
    from apps.generations.models import Generation

    session, project = api(platform)
    base = platform.web_url
    products = 5
    formats = list(catalogue.get_model(MODEL).aspect_ratios)[:10]
    scenes = cells // (products * len(formats))
    character, product_ids = library(session, base, project, products)
    timings = []
    for run in range(3):
        campaign = session.post(f"{base}/api/v1/projects/{project}/campaigns/", json={
            "name": f"bench {run}", "products": product_ids, "characters": [character],
            "scenes": [f"scene {i}" for i in range(scenes)], "formats": formats, "variations": 1,
        })
        campaign.raise_for_status()
        started = time.perf_counter()
        response = session.post(f"{base}/api/v1/campaigns/{campaign.json()['id']}/run/", json={"stage": "drafts"})
        timings.append(time.perf_counter() - started)
        assert response.status_code == 201, response.text
        assert response.json()["jobs_created"] == products * scenes * len(formats)
    Generation.objects.filter(project_id=project).update(status="canceled")
    queue = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
    shutil.rmtree(queue)
    os.makedirs(queue)
    return timings


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not happen within {timeout} s")


def stage_figure(platform: Platform, stage: str, requested_at: float, generations: list, rpm: int, latency: float) -> dict:
    """A stage's wall time against its minimum, and where the time above it went (from the rows'
    and the emulator log's timestamps, all Unix time on this machine)."""
    finished = max(g.finished_at.timestamp() for g in generations)
    calls = [
        call for call in requests.get(f"{platform.emulator_url}/_emulator/requests", timeout=30).json()["requests"]
        if requested_at <= call["at"] <= finished
    ]
    answered = sorted((c for c in calls if c["status"] == 200), key=lambda c: c["at"])
    arrivals = [c["at"] for c in answered]
    gaps = [b - a for a, b in itertools.pairwise(arrivals)]
    spacing = 60 / rpm
    last = answered[-1]
    minimum = (len(generations) - 1) * spacing + latency
    wall = finished - requested_at
    return {
        "stage": stage, "jobs": len(generations), "wall": wall, "minimum": minimum, "ratio": wall / minimum,
        "succeeded": sum(g.status == "succeeded" for g in generations), "throttled": sum(c["status"] == 429 for c in calls),
        "rate_waits": sum(g.rate_waits for g in generations),
        "first_call": arrivals[0] - requested_at,
        "spacing_excess": sum(gaps) - len(gaps) * spacing, "gap_max": max(gaps, default=0.0),
        "answer_excess": last["answered_at"] - last["at"] - latency,
        "tail": finished - last["answered_at"],
        "timeline": timeline(generations, answered, requested_at),
    }


def timeline(generations: list, calls: list[dict], origin: float) -> list[tuple]:
    """Per job with source images (localise, finalise), seconds after the run request: claimed (its
    last attempt), call arrived upstream, answered, image stored; and its rate-limit deferrals. A
    call is matched to the job whose source image it carried (in arrival order, for two jobs
    sharing a source)."""
    rows, taken = [], set()
    for g in sorted(generations, key=lambda g: g.finished_at):
        sources = {source.asset.sha256 for source in g.sources.select_related("asset")}
        call = next((c for i, c in enumerate(calls) if i not in taken and sources & set(c["input_sha256"])), None)
        if call is None:
            continue
        taken.add(calls.index(call))
        rows.append((g.started_at.timestamp() - origin, call["at"] - origin, call["answered_at"] - origin,
                     g.finished_at.timestamp() - origin, g.rate_waits))
    return rows


def campaign_throughput(platform: Platform, rpm: int, latencies: dict[str, float]) -> list[dict]:
    from apps.approvals.services import review_decide
    from apps.assets.models import Asset
    from apps.generations.models import FINISHED, Generation
    from apps.projects.models import Project
    from tests.factories import member

    session, project_id = api(platform)
    base = platform.web_url
    character, products = library(session, base, project_id, 3)
    campaign = session.post(f"{base}/api/v1/projects/{project_id}/campaigns/", json={
        "name": "36 finals", "products": products, "characters": [character],
        "scenes": ["a city park", "a hill trail"], "formats": FORMATS, "languages": ["de", "fr"],
        "copy": "Run brighter", "variations": 1,
        "draft": {"model": MODEL, "image_size": "512"}, "final": {"model": MODEL, "image_size": "4K"},
    })
    campaign.raise_for_status()
    url = f"{base}/api/v1/campaigns/{campaign.json()['id']}"
    reviewer = member(Project.objects.get(pk=project_id), "reviewer")

    def stage_rows(stage):
        return list(Generation.objects.filter(campaign_job__cell__campaign_id=campaign.json()["id"], campaign_job__stage=stage))

    def approve_all(stage):
        for cell in session.get(f"{url}/").json()["cells"]:
            ids = [cell["drafts"][0]] if stage == "drafts" else [v["asset"] for v in cell["versions"] if v["language"] != "source"]
            for asset_id in ids:
                review_decide(user=reviewer, asset=Asset.objects.select_related("project", "generation").get(pk=asset_id), decision="approve")

    # One job first, as a worker that has served before: a fresh process's first job pays one-time
    # costs (the SDK client, each thread's database connection), ~1 s, that are not throughput.
    warm_up = session.post(f"{base}/api/v1/projects/{project_id}/generations/", json={"prompt": "warm-up", "model": MODEL, "image_size": "512"})
    warm_up.raise_for_status()
    platform.wait_finished([warm_up.json()["id"]])
    time.sleep(60 / rpm)  # its rate-limit slot is over before the first stage starts

    figures = []
    for stage, size in (("drafts", "512"), ("localise", "512"), ("finalise", "4K")):
        requested_at = time.time()
        created = session.post(f"{url}/run/", json={"stage": stage})
        created.raise_for_status()
        jobs = created.json()["jobs_created"]
        rows = wait_until(lambda stage=stage: (r := stage_rows(stage)) and all(g.status in FINISHED for g in r) and r,
                          jobs * 60 / rpm * 4 + 120, f"{stage}'s images")
        figures.append(stage_figure(platform, stage, requested_at, rows, rpm, latencies.get(size, latencies.get("default", 0.0))))
        if stage != "finalise":
            approve_all(stage)
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--rpm", type=int, default=60)
    parser.add_argument("--latency", default="512=4,1K=6,2K=8,4K=12", help="the emulator's seconds per answer, per size")
    parser.add_argument("--skip-creation", action="store_true")
    parser.add_argument("--skip-throughput", action="store_true")
    parser.add_argument("--timeline", action="store_true", help="print each job's claim, call, answer and store times")
    args = parser.parse_args()

    from apps.gemini.emulator.generation import parse_latency

    latencies = parse_latency(args.latency)
    env = {"GEMINI_RPM": f"{MODEL}={args.rpm}", "GENERATION_RETRY_BASE_SECONDS": "0.5"}
    with Platform(latency=args.latency, rpm=args.rpm, concurrency=32, extra_env=env, emulator_args=["--prerendered"]) as platform:
        platform.processes.pop("worker").terminate()
        timings = [] if args.skip_creation else stage_creation(platform, args.cells)
        figures = []
        if not args.skip_throughput:
            made = platform.prerender([[ratio, size] for ratio in FORMATS for size in ("512", "4K")])
            platform.processes["worker"] = platform.start_worker("worker", queues="generations")
            platform.processes["renditions"] = platform.start_worker("renditions", concurrency=2, queues="renditions")
            figures = campaign_throughput(platform, args.rpm, latencies)
    load = os.getloadavg()
    if timings:
        print(f"stage of {args.cells} jobs created in one request (SQLite, filesystem broker): "
              f"median {statistics.median(timings):.2f} s, runs {', '.join(f'{t:.2f}' for t in timings)} s (target <= 2 s)")
    if figures:
        sizes = ", ".join(f"{m['aspect_ratio']} {m['image_size']} {m['bytes'] / 1e6:.1f} MB" for m in made)
        print(f"campaign throughput: 36 finals on {MODEL}, {args.rpm} RPM held by platform and emulator, emulator latency "
              f"{args.latency} s, pre-rendered answers ({sizes}), "
              f"one generations worker with 32 threads, renditions worker beside it")
        for f in figures:
            print(f"  run {f['stage']:<8} -> last image: {f['wall']:5.1f} s against a minimum of {f['minimum']:5.1f} s "
                  f"({f['jobs']} calls): {f['ratio']:.3f}x (target <= 1.05x); {f['succeeded']}/{f['jobs']} succeeded, "
                  f"429s {f['throttled']}, rate-limit deferrals {f['rate_waits']}")
            print(f"      above the minimum: first call after {f['first_call']:.2f} s, call spacing +{f['spacing_excess']:.2f} s "
                  f"(largest gap {f['gap_max']:.2f} s), "
                  f"last answer +{f['answer_excess']:.2f} s over its latency, last answer -> last image {f['tail']:.2f} s")
            if args.timeline and f["timeline"]:
                print("      job timeline, s after the run request: claimed, called, answered, stored (deferrals)")
                for claimed, called, answered, stored, waits in f["timeline"]:
                    print(f"        {claimed:6.2f} {called:6.2f} {answered:6.2f} {stored:6.2f}  store {stored - answered:5.2f} ({waits})")
    print(f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
