"""Figure 3: the read path as data grows. Asset list (a page of 50 with thumbnails), asset detail
and the lineage of a 50-deep chain over REST, and the gallery page (first page and one from the
middle, 48 thumbnails) and asset page as HTML: p50 / p95 latency and query count at each size.

    .venv/bin/python -m bench.read_path                      # 1,000 / 10,000 / 100,000 assets
    .venv/bin/python -m bench.read_path --sizes 1000 10000 --repeat 30

Requests go through Django's full stack in-process (URL routing, auth, DRF, serialisers), not
over a socket, so the figures are the platform's own cost. Seeding is bulk, in one SQLite file.
"""

from __future__ import annotations

import argparse
import hashlib
import time
import uuid

LIST_PAGE = 50
CHAIN_DEPTH = 50


def seed(project, user, count: int) -> dict:
    """`count` assets (each with its generation and thumbnail row) and one lineage chain."""
    from apps.assets.models import Asset, AssetLink, Rendition
    from apps.generations.models import Generation

    batch = 2000
    last = None
    for start in range(0, count, batch):
        size = min(batch, count - start)
        jobs = [
            Generation(
                project=project, prompt=f"seeded prompt {start + i}", model="gemini-3.1-flash-image-preview",
                aspect_ratio="1:1", image_size="1K", status="succeeded", created_by=user,
            )
            for i in range(size)
        ]
        Generation.objects.bulk_create(jobs)
        assets = [
            Asset(
                project=project, generation=job, file=f"seed/{job.id}.png", mime_type="image/png", width=1024, height=1024,
                size_bytes=1000, sha256=hashlib.sha256(str(job.id).encode()).hexdigest(), created_by=user,
            )
            for job in jobs
        ]
        Asset.objects.bulk_create(assets)  # created_at: distinct, increasing timestamps, as in real use
        Rendition.objects.bulk_create(
            [Rendition(asset=a, spec="thumb", file=f"seed/{a.id}.thumb.webp", mime_type="image/webp", width=384, height=384, size_bytes=100) for a in assets]
        )
        last = assets[-1]
    chain = list(Asset.objects.filter(project=project).order_by("-created_at")[:CHAIN_DEPTH])
    AssetLink.objects.bulk_create(
        [AssetLink(child=child, parent=parent, relation="edited_from") for child, parent in zip(chain, chain[1:])]
    )
    return {"chain_end": chain[0], "any_asset": last}


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
    return {"timings": timings, "queries": max(queries)}


def read_path_figures(project, user, seeded: dict, repeat: int) -> dict:
    from rest_framework.test import APIClient

    from urllib.parse import urlencode

    from apps.assets.models import Asset

    client = APIClient(SERVER_NAME="localhost")
    client.force_login(user)  # a session serves both the API and the pages
    assets = Asset.objects.filter(project=project).order_by("-created_at", "-id")
    middle = assets[assets.count() // 2]
    urls = {
        "asset list (50)": f"/api/v1/projects/{project.id}/assets/?page_size={LIST_PAGE}",
        "asset detail": f"/api/v1/assets/{seeded['any_asset'].id}/",
        f"lineage ({CHAIN_DEPTH} deep)": f"/api/v1/assets/{seeded['chain_end'].id}/lineage/",
        "gallery page 1": f"/projects/{project.id}/gallery/",
        "gallery mid-way": f"/projects/{project.id}/gallery/?" + urlencode({"after": f"{middle.created_at.isoformat()}|{middle.pk}"}),
        "asset page": f"/assets/{seeded['chain_end'].id}/",
    }
    return {name: measure(client, url, repeat) for name, url in urls.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    from bench._common import django_setup, percentile

    django_setup()
    from apps.projects.services import project_create
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username=f"bench-{uuid.uuid4().hex[:6]}")
    results = {}
    for size in args.sizes:
        project = project_create(user=user, name=f"bench {size}")
        started = time.perf_counter()
        seeded = seed(project, user, size)
        print(f"seeded {size:,} assets in {time.perf_counter() - started:.1f} s")
        results[size] = read_path_figures(project, user, seeded, args.repeat)

    print(f"\n{'endpoint':22} {'assets':>8} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8}")
    for name in results[args.sizes[0]]:
        for size in args.sizes:
            figure = results[size][name]
            p50, p95 = percentile(figure["timings"], 50) * 1000, percentile(figure["timings"], 95) * 1000
            print(f"{name:22} {size:>8,} {p50:8.1f} {p95:8.1f} {figure['queries']:8}")
        small, large = results[args.sizes[0]][name], results[args.sizes[-1]][name]
        ratio = percentile(large["timings"], 50) / percentile(small["timings"], 50)
        print(f"{name:22} p50 {args.sizes[-1]:,} / {args.sizes[0]:,} = {ratio:.2f}x, queries {small['queries']} -> {large['queries']}\n")


if __name__ == "__main__":
    main()
