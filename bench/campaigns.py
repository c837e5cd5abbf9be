"""Campaign figures.

    .venv/bin/python -m bench.campaigns [--cells 500] [--rpm 60] [--latency 0.5]

1. Creating a stage of `--cells` jobs in one request: POST /api/v1/campaigns/{id}/run/ with
   {"stage": "drafts"} on a campaign of that many cells (no worker running, so only the request
   is timed: validation, one budget check, bulk inserts, enqueueing every id on commit). Three runs.
2. From "run finalise" to the last final of the 36-final campaign (3 products x 2 scenes x
   2 formats x source + 2 languages), at 4K, while the emulator and the platform both hold
   nano-banana-2 to `--rpm` requests a minute. Theoretical minimum: the first call is free, then
   one slot every 60/RPM seconds, so (36 - 1) * 60 / RPM, plus one answer's latency.
   Drafts and translations are made beforehand on nano-banana (not rate-limited here) and approved.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time

import requests
from PIL import Image

from bench._common import Platform, start


def png(colour) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (128, 128), colour).save(out, format="PNG")
    return out.getvalue()


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
    import shutil

    from django.conf import settings

    from apps.gemini import catalogue
    from apps.generations.models import Generation

    token, project = platform.token_and_project()
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    base = platform.web_url
    products = 5
    formats = list(catalogue.get_model("nano-banana-2").aspect_ratios)[:10]
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


def finalise_under_rpm(platform: Platform, rpm: int, latency: float) -> tuple[float, float, int, int]:
    from apps.approvals.services import review_decide
    from apps.campaigns.models import CampaignJob
    from apps.generations.models import FINISHED, Generation
    from tests.factories import member

    platform.processes["worker"] = platform.start_worker("worker")
    token, project_id = platform.token_and_project()
    session = requests.Session()
    session.headers["Authorization"] = f"Token {token}"
    base = platform.web_url
    character, products = library(session, base, project_id, 3)
    campaign = session.post(f"{base}/api/v1/projects/{project_id}/campaigns/", json={
        "name": "36 finals", "products": products, "characters": [character],
        "scenes": ["a city park", "a hill trail"], "formats": ["4:5", "9:16"], "languages": ["de", "fr"],
        "copy": "Run brighter", "variations": 1,
        "draft": {"model": "nano-banana", "image_size": "1K"}, "final": {"model": "nano-banana-2", "image_size": "4K"},
    }).json()
    url = f"{base}/api/v1/campaigns/{campaign['id']}"
    from apps.projects.models import Project

    reviewer = member(Project.objects.get(pk=project_id), "reviewer")

    def finished(stage):
        rows = list(Generation.objects.filter(campaign_job__cell__campaign_id=campaign["id"], campaign_job__stage=stage).values_list("status", flat=True))
        return rows and all(status in FINISHED for status in rows)

    def approve_all(key):
        for cell in session.get(f"{url}/").json()["cells"]:
            ids = [cell["drafts"][0]] if key == "drafts" else [v["asset"] for v in cell["versions"] if v["language"] != "source"]
            for asset_id in ids:
                from apps.assets.models import Asset

                review_decide(user=reviewer, asset=Asset.objects.select_related("project", "generation").get(pk=asset_id), decision="approve")

    session.post(f"{url}/run/", json={"stage": "drafts"}).raise_for_status()
    wait_until(lambda: finished("drafts"), 300, "drafts")
    approve_all("drafts")
    session.post(f"{url}/run/", json={"stage": "localise"}).raise_for_status()
    wait_until(lambda: finished("localise"), 300, "translations")
    approve_all("versions")

    # The emulator again, now holding every model to the limit too.
    emulator = platform.processes.pop("emulator")
    emulator.terminate()
    emulator.wait()
    port = platform.emulator_url.rsplit(":", 1)[1]
    platform.processes["emulator"] = start(
        [sys.executable, "manage.py", "gemini_emulator", "--port", port, "--latency", str(latency), "--rpm", str(rpm)],
        platform.env, platform.var / "emulator-limited.log", ready=b"emulator on",
    )
    started = time.perf_counter()
    created = session.post(f"{url}/run/", json={"stage": "finalise"}).json()["jobs_created"]
    wait_until(lambda: finished("finalise"), created * 60 / rpm * 4 + 120, "finals")
    last = max(Generation.objects.filter(campaign_job__stage="finalise").values_list("finished_at", flat=True))
    first = min(CampaignJob.objects.filter(stage="finalise").values_list("generation__created_at", flat=True))
    wall = time.perf_counter() - started
    succeeded = Generation.objects.filter(campaign_job__stage="finalise", status="succeeded").count()
    log = requests.get(f"{platform.emulator_url}/_emulator/requests").json()["requests"]
    return wall, (last - first).total_seconds(), succeeded, sum(call["status"] == 429 for call in log)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, default=500)
    parser.add_argument("--rpm", type=int, default=60)
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--skip-finalise", action="store_true")
    args = parser.parse_args()

    env = {"GEMINI_RPM": f"nano-banana-2={args.rpm}", "GENERATION_RETRY_BASE_SECONDS": "0.5"}
    with Platform(concurrency=8, extra_env=env) as platform:
        platform.processes.pop("worker").terminate()
        timings = stage_creation(platform, args.cells)
        if not args.skip_finalise:
            wall, in_db, succeeded, throttled = finalise_under_rpm(platform, args.rpm, args.latency)
    print(f"stage of {args.cells} jobs created in one request (SQLite, filesystem broker): "
          f"median {statistics.median(timings):.2f} s, runs {', '.join(f'{t:.2f}' for t in timings)} s (target < 2 s); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    if args.skip_finalise:
        return
    minimum = 35 * 60 / args.rpm + args.latency
    print(f"finalise of 36 finals at 4K under {args.rpm} RPM (emulator latency {args.latency} s): {succeeded}/36 succeeded, "
          f"429s seen {throttled}")
    print(f"run finalise -> last final: {in_db:.1f} s (client wall {wall:.1f} s) against a theoretical minimum of "
          f"{minimum:.1f} s: {in_db / minimum:.2f}x")


if __name__ == "__main__":
    main()
