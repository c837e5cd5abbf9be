"""Figure 3: the read path as data grows. Asset list (a page of 50 with thumbnails), job list,
asset detail and the lineage of a 50-deep chain over REST, and the gallery page (first page, one
from the middle, a prompt search and a tag), the review queue and the asset page as HTML: p50 /
p95 latency, CPU time and query count at each size, and each p50 against the smallest size's.

    .venv/bin/python -m bench.read_path                      # SQLite: 1,000 / 10,000 / 100,000 assets
    .venv/bin/python -m bench.read_path --sizes 1000 10000 --repeat 30
    .venv/bin/python -m bench.read_path --postgres           # PostgreSQL: 1,000 / 100,000 / 1,000,000

Requests go through Django's full stack in-process (URL routing, auth, DRF, serialisers), not
over a socket, so the figures are the platform's own cost. On SQLite seeding is bulk_create in
one file. `--postgres` starts a throw-away cluster (bin/pg-scratch, on --pg-port), seeds each
size with INSERT ... SELECT FROM generate_series (one statement per table), ANALYZEs, and prints
EXPLAIN for any sequential scan on a table of more than 10,000 rows in any measured request.
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import time
import uuid
from pathlib import Path

LIST_PAGE = 50
CHAIN_DEPTH = 50
BIG_TABLE_ROWS = 10_000
TAGGED_EVERY = 10  # every tenth asset carries the tag "seasonal" (and one in a thousand "rare")


def seed(project, user, count: int) -> dict:
    """`count` assets (each with its generation and thumbnail row) and one lineage chain."""
    from apps.assets.models import Asset, AssetLink, AssetTag, Rendition
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
        AssetTag.objects.bulk_create([
            AssetTag(asset=a, project_id=a.project_id, name="rare" if (start + i + 1) % 1000 == 0 else "seasonal")
            for i, a in enumerate(assets) if (start + i + 1) % TAGGED_EVERY == 0
        ])
        last = assets[-1]
    chain = list(Asset.objects.filter(project=project).order_by("-created_at")[:CHAIN_DEPTH])
    AssetLink.objects.bulk_create(
        [AssetLink(child=child, parent=parent, relation="edited_from") for child, parent in zip(chain, chain[1:])]
    )
    return {"chain_end": chain[0], "any_asset": last}


def _insert_series(model, template, count: int, computed: dict[str, str], params: dict) -> None:
    """INSERT INTO model's table SELECT ... FROM generate_series(1, count) AS g: every column from
    `template` (an unsaved instance: its defaults, as Django would write them) except `computed`
    (column -> SQL expression of g and %(name)s params)."""
    from django.db import connection

    columns, values, bound = [], [], dict(params)
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.column in computed:
            values.append(computed[field.column])
        else:
            name = f"c_{field.column}"
            bound[name] = field.get_db_prep_save(field.pre_save(template, add=True), connection)
            values.append(f"%({name})s")
    sql = (f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) "
           f"SELECT {', '.join(values)} FROM generate_series(1, {int(count)}) AS g")
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)


def seed_postgres(project, user, count: int) -> dict:
    """The same rows as seed(), written by PostgreSQL itself: one INSERT ... SELECT per table."""
    from django.db import connection

    from apps.assets.models import Asset, AssetLink, AssetTag, Rendition
    from apps.generations.models import Generation

    run = uuid.uuid4().hex[:12]
    params = {"run": run, "count": count, "project": project.pk}
    gen_id = "md5('gen' || %(run)s || g)::uuid"
    asset_id = "md5('asset' || %(run)s || g)::uuid"
    # Distinct, increasing timestamps as in real use: the newest is now, one millisecond apart.
    created = "now() - (%(count)s - g) * interval '1 millisecond'"
    _insert_series(Generation, Generation(
        project=project, prompt="", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K",
        status="succeeded", created_by=user,
    ), count, {"id": gen_id, "prompt": "'seeded prompt ' || g", "created_at": created}, params)
    _insert_series(Asset, Asset(
        project=project, file="", mime_type="image/png", width=1024, height=1024, size_bytes=1000, sha256="", created_by=user,
    ), count, {"id": asset_id, "generation_id": gen_id, "file": "'seed/' || " + asset_id + " || '.png'",
               "sha256": "md5('a' || %(run)s || g) || md5('b' || %(run)s || g)", "created_at": created}, params)
    _insert_series(Rendition, Rendition(
        spec="thumb", file="", mime_type="image/webp", width=384, height=384, size_bytes=100,
    ), count, {"id": "nextval(pg_get_serial_sequence('assets_rendition', 'id'))", "asset_id": asset_id,
               "file": "'seed/' || " + asset_id + " || '.thumb.webp'"}, params)
    with connection.cursor() as cursor:
        tags = connection.ops.quote_name(AssetTag._meta.db_table)
        cursor.execute(
            f"INSERT INTO {tags} (asset_id, project_id, name) SELECT md5('asset' || %(run)s || g)::uuid, %(project)s, "
            f"CASE WHEN g %% 1000 = 0 THEN 'rare' ELSE 'seasonal' END FROM generate_series({TAGGED_EVERY}, %(count)s, {TAGGED_EVERY}) AS g",
            params,
        )
    chain = list(Asset.objects.filter(project=project).order_by("-created_at")[:CHAIN_DEPTH])
    AssetLink.objects.bulk_create(
        [AssetLink(child=child, parent=parent, relation="edited_from") for child, parent in zip(chain, chain[1:])]
    )
    with connection.cursor() as cursor:
        for model in (Generation, Asset, Rendition, AssetTag, AssetLink):
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return {"chain_end": chain[0], "any_asset": Asset.objects.filter(project=project).order_by("created_at").first()}


def sequential_scans(captured) -> list[str]:
    """EXPLAIN each SELECT a request ran; the plans that read a big table from end to end."""
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT relname FROM pg_class WHERE relkind = 'r' AND reltuples > %s", [BIG_TABLE_ROWS])
        big = {row[0] for row in cursor.fetchall()}
        found = []
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
                continue
            cursor.execute("EXPLAIN (FORMAT JSON) " + sql)
            plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            # (node, under a Limit): a scan under a LIMIT stops after that many rows (a capped count).
            stack, scanned, bounded = [(plan[0]["Plan"], False)], [], True
            while stack:
                node, limited = stack.pop()
                if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in big:
                    scanned.append(node["Relation Name"])
                    bounded = bounded and limited
                under = limited or node.get("Node Type") == "Limit"
                stack.extend((child, under) for child in node.get("Plans", []))
            if scanned:
                cursor.execute("EXPLAIN " + sql)
                kind = "bounded by a LIMIT" if bounded else "UNBOUNDED"
                found.append(f"-- seq scan on {', '.join(sorted(set(scanned)))} ({kind}):\n{sql[:600]}\n"
                             + "\n".join(row[0] for row in cursor.fetchall()))
    return found


def measure(client, url: str, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, cpu, queries = [], [], []
    client.get(url)  # warm: templates compiled, caches filled
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.thread_time()
            response = client.get(url)
            timings.append(time.perf_counter() - started)
            cpu.append(time.thread_time() - started_cpu)
        assert response.status_code == 200, (url, response.status_code)
        queries.append(len(captured))
    slowest = max(captured.captured_queries, key=lambda q: float(q["time"]), default={"time": 0})
    figure = {"timings": timings, "cpu": cpu, "queries": max(queries), "slowest_query": float(slowest["time"])}
    if connection.vendor == "postgresql":
        figure["seq_scans"] = sequential_scans(captured.captured_queries)
    return figure


def read_path_figures(project, user, seeded: dict, repeat: int) -> dict:
    from rest_framework.test import APIClient

    from urllib.parse import urlencode

    from apps.assets.models import Asset

    client = APIClient(SERVER_NAME="localhost")
    client.force_login(user)  # a session serves both the API and the pages
    assets = Asset.objects.filter(project=project).order_by("-created_at", "-id")
    middle = assets[assets.count() // 2]  # once, here: not a measured request
    urls = {
        "asset list (50)": f"/api/v1/projects/{project.id}/assets/?page_size={LIST_PAGE}",
        "job list (50)": f"/api/v1/projects/{project.id}/generations/?page_size={LIST_PAGE}",
        "asset detail": f"/api/v1/assets/{seeded['any_asset'].id}/",
        f"lineage ({CHAIN_DEPTH} deep)": f"/api/v1/assets/{seeded['chain_end'].id}/lineage/",
        "gallery page 1": f"/projects/{project.id}/gallery/",
        "gallery mid-way": f"/projects/{project.id}/gallery/?" + urlencode({"after": f"{middle.created_at.isoformat()}|{middle.pk}"}),
        "gallery search": f"/projects/{project.id}/gallery/?" + urlencode({"search": "prompt 7"}),
        "gallery tag": f"/projects/{project.id}/gallery/?" + urlencode({"tag": "seasonal"}),
        "review queue": f"/projects/{project.id}/review/",
        "asset page": f"/assets/{seeded['chain_end'].id}/",
    }
    return {name: measure(client, url, repeat) for name, url in urls.items()}


def main():
    import os
    import subprocess
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+")
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--postgres", action="store_true", help="a throw-away PostgreSQL (bin/pg-scratch), bulk-seeded")
    parser.add_argument("--pg-port", type=int, default=55442)
    args = parser.parse_args()
    sizes = args.sizes or ([1_000, 100_000, 1_000_000] if args.postgres else [1_000, 10_000, 100_000])

    from bench._common import ROOT, django_setup, percentile

    pg_dir = None
    if args.postgres:
        pg_dir = Path(tempfile.mkdtemp(prefix="bench-pg-")) / "pg"
        started = subprocess.run([str(ROOT / "bin/pg-scratch"), "start", str(pg_dir), str(args.pg_port)], capture_output=True, text=True)
        if started.returncode:
            raise SystemExit(f"PostgreSQL did not start on port {args.pg_port}:\n{started.stderr}")
        url = started.stdout.strip()
        os.environ.update(DATABASE_URL=url, SECRET_KEY="bench-read-path-" + uuid.uuid4().hex)
    try:
        results = run(sizes, args.repeat, args.postgres, django_setup)
    finally:
        if pg_dir:
            from django.db import connections

            connections.close_all()
            subprocess.run([str(ROOT / "bin/pg-scratch"), "stop", str(pg_dir)], check=False)
            shutil.rmtree(pg_dir.parent, ignore_errors=True)

    print(f"\n{'endpoint':22} {'assets':>10} {'p50 ms':>8} {'p95 ms':>8} {'CPU ms':>7} {'queries':>8} {'slowest q':>9} {'p50 / smallest':>15}")
    for name in results[sizes[0]]:
        base = percentile(results[sizes[0]][name]["timings"], 50)
        for size in sizes:
            figure = results[size][name]
            p50, p95 = percentile(figure["timings"], 50), percentile(figure["timings"], 95)
            cpu = percentile(figure["cpu"], 50)
            print(f"{name:22} {size:>10,} {p50 * 1000:8.1f} {p95 * 1000:8.1f} {cpu * 1000:7.1f} {figure['queries']:8} {figure['slowest_query'] * 1000:9.1f} {p50 / base:14.2f}x")
        counts = [results[size][name]["queries"] for size in sizes]
        print(f"{'':22} queries {'constant' if len(set(counts)) == 1 else 'GROW: ' + ' -> '.join(map(str, counts))}\n")
    scans = [(size, name, plan) for size in sizes for name, figure in results[size].items() for plan in figure.get("seq_scans", [])]
    if args.postgres:
        unbounded = [scan for scan in scans if "UNBOUNDED" in scan[2]]
        print(f"sequential scans on tables over {BIG_TABLE_ROWS:,} rows: {len(scans) or 'none'}"
              f" ({len(unbounded)} unbounded, {len(scans) - len(unbounded)} under a LIMIT)")
        for size, name, plan in scans:
            print(f"\n[{name}, {size:,} assets]\n{plan}")


def run(sizes, repeat, postgres, django_setup) -> dict:
    django_setup()
    from apps.projects.services import project_create
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create(username=f"bench-{uuid.uuid4().hex[:6]}")
    # The images are another member's work, so the review queue (four-eyes) has them all waiting.
    maker = get_user_model().objects.create(username=f"bench-maker-{uuid.uuid4().hex[:6]}")
    results = {}
    for size in sizes:
        project = project_create(user=user, name=f"bench {size}")
        started = time.perf_counter()
        seeded = seed_postgres(project, maker, size) if postgres else seed(project, maker, size)
        print(f"seeded {size:,} assets in {time.perf_counter() - started:.1f} s", flush=True)
        results[size] = read_path_figures(project, user, seeded, repeat)
    return results


if __name__ == "__main__":
    main()
