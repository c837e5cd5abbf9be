"""Figure 2: the worker's ceiling. With zero emulator latency: images per second through a real
worker on this machine, and a per-stage breakdown of one job so the slowest stage is visible.

    .venv/bin/python -m bench.worker_ceiling [--images 60] [--size 1K] [--concurrency 4]

The emulator answers pre-rendered photo-like images (`--prerendered`), so its CPU per answer is
small; the worker serves `generations` only, and the thumbnail (made after the job, on the
`renditions` queue) is timed as its own stage.
"""

from __future__ import annotations

import argparse
import os
import time

import requests

from bench._common import Platform, median


def stage_breakdown(platform: Platform, size: str, samples: int) -> dict[str, float]:
    """Each stage of generation_run timed on its own, in this process, on real emulator output."""
    from django.contrib.auth import get_user_model

    from apps.assets.files import file_write
    from apps.assets.images import inspect_generated
    from apps.assets.renditions import thumbnail_get_or_make
    from apps.assets.services import asset_create
    from apps.core.storage_keys import generation_output_key
    from apps.gemini.checks import check_image_settings
    from apps.gemini.gateway import ImageRequest, generate_image
    from apps.generations.models import Generation
    from apps.projects.services import project_create

    os.environ["GOOGLE_GEMINI_BASE_URL"] = platform.emulator_url
    os.environ["GEMINI_API_KEY"] = "emulator"
    user = get_user_model().objects.create(username=f"stages-{time.monotonic_ns()}")
    project = project_create(user=user, name="stages")
    request = ImageRequest(settings=check_image_settings(model="nano-banana-2", aspect_ratio="16:9", image_size=size, thinking_level=None), prompt="stage timing")
    stages: dict[str, list[float]] = {
        k: [] for k in ("upstream call + SDK decode", "decode / checks", "storage write", "database", "thumbnail (renditions queue, after)")
    }
    for i in range(samples):
        job = Generation.objects.create(project=project, prompt="x", model="gemini-3.1-flash-image-preview", aspect_ratio="16:9", image_size=size)
        t0 = time.perf_counter()
        result = generate_image(request)
        t1 = time.perf_counter()
        image = inspect_generated(result.images[0].data)
        image.sha256  # noqa: B018 (computed once, as the job does)
        t2 = time.perf_counter()
        key = generation_output_key(project_id=project.pk, generation_id=job.pk, index=0, attempt=1, extension=image.extension)
        file_write(key, image.data)
        t3 = time.perf_counter()
        asset = asset_create(project=project, key=key, image=image, origin="generated", generation=job)
        Generation.objects.filter(pk=job.pk).update(status="succeeded")
        t4 = time.perf_counter()
        thumbnail_get_or_make(asset)
        t5 = time.perf_counter()
        for name, (a, b) in zip(stages, [(t0, t1), (t1, t2), (t2, t3), (t3, t4), (t4, t5)]):
            stages[name].append(b - a)
    return {name: median(values) for name, values in stages.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=60)
    parser.add_argument("--size", default="1K")
    parser.add_argument("--concurrency", type=int, default=4)
    args = parser.parse_args()

    with Platform(latency=0, concurrency=args.concurrency, emulator_args=["--prerendered"]) as platform:
        platform.processes.pop("worker").terminate()
        platform.processes["worker"] = platform.start_worker("generations", queues="generations,webhooks")
        platform.prerender([("16:9", args.size)])
        token, project = platform.token_and_project()
        session = requests.Session()
        session.headers["Authorization"] = f"Token {token}"
        url = f"{platform.web_url}/api/v1/projects/{project}/generations/"
        ids = [session.post(url, json={"prompt": f"ceiling {i}", "aspect_ratio": "16:9", "image_size": args.size}).json()["id"] for i in range(args.images)]
        rows = platform.wait_finished(ids)
        assert all(row.status == "succeeded" for row in rows)
        span = (max(r.finished_at for r in rows) - min(r.started_at for r in rows)).total_seconds()
        stages = stage_breakdown(platform, args.size, samples=10)

    print(f"{args.images} images at {args.size}, emulator latency 0, one worker with {args.concurrency} threads, {os.cpu_count()} cores")
    print(f"throughput: {args.images / span:.1f} images/s ({span:.2f} s from first start to last finish)")
    print("per-stage median for one image (the emulator answers pre-rendered bytes on the same cores):")
    total = sum(stages.values())
    for name, seconds in sorted(stages.items(), key=lambda kv: -kv[1]):
        print(f"  {name:28} {seconds * 1000:7.1f} ms  {seconds / total:5.1%}")


if __name__ == "__main__":
    main()
