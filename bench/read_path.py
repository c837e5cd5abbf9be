"""Figure 3: the read path as data grows. Asset list (a page of 50 with thumbnails), job list,
asset detail and the lineage of a 50-deep chain over REST, and the gallery page (first page, one
from the middle, a search of a common and of a rare word of the prompts, a tag, the brand checks'
"needs attention"), the review queue, "waiting on me" (the assignments page), the grid of a
36-final campaign and the asset page as HTML: p50 /
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
ATTENTION_EVERY = 50  # every asset has its brand checks read; one in fifty needs attention
TITLED_EVERY = 200  # one asset in 200 has a title a person gave
ASSIGNED_EVERY = 100  # one asset in 100 was assigned to the bench's user for review, long since done
ASSIGNED_FIRST = 2  # ... the 2nd, the 102nd, ...: never the chain's end (the newest) at any size

# Prompts as people write them, from a small vocabulary, so a search is for a word that occurs in
# a known share of them: "beach" in one in 19, "lighthouse" in one in 1,000 (COMMON_WORD, RARE_WORD).
# No word contains another, so a substring search finds exactly its own share.
ADJECTIVES = ["A bright", "A moody", "A minimal", "A playful", "An elegant", "A rustic", "A vivid", "A calm",
              "A bold", "A soft", "A retro", "A sleek", "A warm"]
SUBJECTS = ["bottle of olive oil", "running shoe", "ceramic mug", "leather bag", "wrist watch", "bicycle",
            "perfume flask", "espresso machine", "sun hat", "denim jacket", "desk lamp", "skateboard",
            "tea kettle", "backpack", "pair of sunglasses", "notebook", "water bottle"]
SETTINGS = ["a beach", "a marble table", "a city rooftop", "a forest path", "a kitchen counter", "a studio sweep",
            "a mountain ridge", "a cafe terrace", "a wooden dock", "a desert road", "a snowy field", "a garden bench",
            "a library shelf", "a train platform", "a market stall", "a pool edge", "a balcony", "a bakery window",
            "a vineyard"]
STYLES = ["golden hour", "overcast daylight", "studio flash", "neon glow", "soft window glow", "dusk haze",
          "high noon", "candle glow", "morning mist", "blue hour", "spotlit"]
COMMON_WORD, RARE_WORD = "beach", "lighthouse"


def prompt_of(g: int) -> str:
    """The g-th seeded prompt (g from 1); prompt_sql() is the same in SQL."""
    prompt = f"{ADJECTIVES[g % 13]} {SUBJECTS[g % 17]} on {SETTINGS[g % 19]}, {STYLES[g % 11]}"
    return prompt + (", a lighthouse far behind" if g % 1000 == 30 else "") + f", take {g}"


def prompt_sql() -> str:
    words = " || ".join([
        "(%(adjectives)s::text[])[1 + mod(g, 13)]", "' '", "(%(subjects)s::text[])[1 + mod(g, 17)]", "' on '",
        "(%(settings)s::text[])[1 + mod(g, 19)]", "', '", "(%(styles)s::text[])[1 + mod(g, 11)]",
        "CASE WHEN mod(g, 1000) = 30 THEN ', a lighthouse far behind' ELSE '' END", "', take ' || g",
    ])
    return f"({words})"


def vocabulary_params() -> dict:
    return {"adjectives": ADJECTIVES, "subjects": SUBJECTS, "settings": SETTINGS, "styles": STYLES}


def seed(project, user, count: int, reviewer=None) -> dict:
    """`count` assets (each with its generation, thumbnail row and brand checks) and one lineage
    chain; with a `reviewer`, the review items assigned to them over time (long since done) and a
    36-final campaign whose finals wait for them."""
    from apps.assets.models import Asset, AssetLink, AssetTag, Rendition
    from apps.checks.models import AssetCheck
    from apps.generations.models import Generation
    from apps.workflow.models import AssignmentItem

    batch = 2000
    last = None
    history = _assigned_history(project, reviewer or user)
    for start in range(0, count, batch):
        size = min(batch, count - start)
        jobs = [
            Generation(
                project=project, prompt=prompt_of(start + i + 1), model="gemini-3.1-flash-image-preview",
                aspect_ratio="1:1", image_size="1K", status="succeeded", created_by=user,
            )
            for i in range(size)
        ]
        Generation.objects.bulk_create(jobs)
        assets = [
            Asset(
                project=project, generation=job, file=f"seed/{job.id}.png", mime_type="image/png", width=1024, height=1024,
                size_bytes=1000, sha256=hashlib.sha256(str(job.id).encode()).hexdigest(), created_by=user,
                title=f"Hero shot {start + i + 1}" if (start + i + 1) % TITLED_EVERY == 0 else "",
            )
            for i, job in enumerate(jobs)
        ]
        Asset.objects.bulk_create(assets)  # created_at: distinct, increasing timestamps, as in real use
        Rendition.objects.bulk_create(
            [Rendition(asset=a, spec="thumb", file=f"seed/{a.id}.thumb.webp", mime_type="image/webp", width=384, height=384, size_bytes=100) for a in assets]
        )
        AssetTag.objects.bulk_create([
            AssetTag(asset=a, project_id=a.project_id, name="rare" if (start + i + 1) % 1000 == 0 else "seasonal")
            for i, a in enumerate(assets) if (start + i + 1) % TAGGED_EVERY == 0
        ])
        AssetCheck.objects.bulk_create([
            AssetCheck(asset=a, status="attention" if (start + i + 1) % ATTENTION_EVERY == 0 else "passed")
            for i, a in enumerate(assets)
        ])
        AssignmentItem.objects.bulk_create([
            AssignmentItem(assignment=history, asset=a, assignee=reviewer or user, done_at=history.completed_at)
            for i, a in enumerate(assets) if (start + i + 1) % ASSIGNED_EVERY == ASSIGNED_FIRST
        ])
        last = assets[-1]
    chain = list(Asset.objects.filter(project=project).order_by("-created_at")[:CHAIN_DEPTH])
    AssetLink.objects.bulk_create(
        [AssetLink(child=child, parent=parent, relation="edited_from") for child, parent in zip(chain, chain[1:])]
    )
    seeded = {"chain_end": chain[0], "any_asset": last}
    if reviewer is not None:
        seeded["campaign"] = seed_campaign(project, user, reviewer)
    return seeded


def _assigned_history(project, assignee):
    """The completed assignment that the seeded history's done review items belong to."""
    from django.utils import timezone

    from apps.workflow.models import Assignment

    history = Assignment.objects.create(project=project, note="last year's reviews", created_by=assignee, completed_at=timezone.now())
    history.assignees.add(assignee)
    return history


def seed_campaign(project, maker, reviewer):
    """A 36-final campaign as its stages leave it (3 products x 2 scenes x 2 formats, the source copy
    and 2 languages): each cell's draft approved and chosen, its translations approved, every final
    made and waiting for review, assigned to `reviewer` (their "waiting on me")."""
    import itertools

    from apps.approvals.models import Review
    from apps.assets.models import Asset, Rendition
    from apps.campaigns.models import SOURCE, Campaign, CampaignJob, Cell, StageRun
    from apps.checks.models import AssetCheck
    from apps.generations.models import Generation
    from apps.library.models import LibraryEntry
    from apps.workflow.models import Assignment, AssignmentItem

    products = [LibraryEntry.objects.create(project=project, kind="object", name=f"Product {n}") for n in range(1, 4)]
    campaign = Campaign.objects.create(
        project=project, name="Spring launch", scenes=["on a beach at dawn", "on a city rooftop"], formats=["4:5", "9:16"],
        languages=["de", "fr"], copy="Fresh for spring", draft_model="gemini-3.1-flash-image-preview", draft_size="512",
        final_model="gemini-3.1-flash-image-preview", final_size="4K", created_by=maker,
    )
    campaign.products.set(products)
    runs = {stage: StageRun.objects.create(campaign=campaign, stage=stage, jobs_created=jobs, estimate_usd=0, created_by=maker)
            for stage, jobs in (("drafts", 12), ("localise", 24), ("finalise", 36))}
    kinds = {"drafts": "generate", "localise": "translate", "finalise": "upscale"}

    def made(cell, stage, language="", source=None, approved=True):
        job = Generation.objects.create(
            project=project, kind=kinds[stage], prompt=f"Product {cell.position} {campaign.scenes[cell.scene_index]}",
            model=campaign.draft_model, aspect_ratio=cell.aspect_ratio, image_size="4K" if stage == "finalise" else "512",
            target_language="" if language == SOURCE else language, status="succeeded", created_by=maker,
        )
        CampaignJob.objects.create(cell=cell, stage=stage, language=language, source_asset=source, generation=job, stage_run=runs[stage])
        asset = Asset.objects.create(
            project=project, generation=job, file=f"seed/{job.id}.png", mime_type="image/png", width=1024, height=1024,
            size_bytes=1000, sha256=hashlib.sha256(str(job.id).encode()).hexdigest(), created_by=maker,
            review_status="approved" if approved else "pending",
        )
        Rendition.objects.create(asset=asset, spec="thumb", file=f"seed/{asset.id}.thumb.webp", mime_type="image/webp",
                                 width=384, height=384, size_bytes=100)
        AssetCheck.objects.create(asset=asset, status="passed")
        if approved:
            Review.objects.create(asset=asset, reviewer=reviewer, decision="approve")
        return asset

    finals = []
    cells = itertools.product(products, range(len(campaign.scenes)), campaign.formats)
    for position, (product, scene, ratio) in enumerate(cells):
        cell = Cell.objects.create(campaign=campaign, product=product, scene_index=scene, aspect_ratio=ratio, position=position)
        cell.chosen = made(cell, "drafts")
        cell.save(update_fields=["chosen"])
        for language in [SOURCE, *campaign.languages]:
            version = cell.chosen if language == SOURCE else made(cell, "localise", language, cell.chosen)
            finals.append(made(cell, "finalise", language, version, approved=False))
    assignment = Assignment.objects.create(project=project, campaign=campaign, stage="finalise", created_by=maker)
    assignment.assignees.add(reviewer)
    AssignmentItem.objects.bulk_create([AssignmentItem(assignment=assignment, asset=a, assignee=reviewer) for a in finals])
    return campaign


def _insert_series(model, template, count: int, computed: dict[str, str], params: dict, every: int = 1, first: int = 1) -> None:
    """INSERT INTO model's table SELECT ... FROM generate_series(first, count, every) AS g: every column from
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
           f"SELECT {', '.join(values)} FROM generate_series({int(first)}, {int(count)}, {int(every)}) AS g")
    with connection.cursor() as cursor:
        cursor.execute(sql, bound)


def seed_postgres(project, user, count: int, reviewer=None) -> dict:
    """The same rows as seed(), written by PostgreSQL itself: one INSERT ... SELECT per table."""
    from django.apps import apps
    from django.db import connection

    from apps.assets.models import Asset, AssetLink, AssetTag, Rendition
    from apps.checks.models import AssetCheck
    from apps.generations.models import Generation
    from apps.workflow.models import AssignmentItem

    run = uuid.uuid4().hex[:12]
    params = {"run": run, "count": count, "project": project.pk, **vocabulary_params()}
    gen_id = "md5('gen' || %(run)s || g)::uuid"
    asset_id = "md5('asset' || %(run)s || g)::uuid"
    # Distinct, increasing timestamps as in real use: the newest is now, one millisecond apart.
    created = "now() - (%(count)s - g) * interval '1 millisecond'"
    _insert_series(Generation, Generation(
        project=project, prompt="", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K",
        status="succeeded", created_by=user,
    ), count, {"id": gen_id, "prompt": prompt_sql(), "created_at": created}, params)
    _insert_series(Asset, Asset(
        project=project, file="", mime_type="image/png", width=1024, height=1024, size_bytes=1000, sha256="", created_by=user,
    ), count, {"id": asset_id, "generation_id": gen_id, "file": "'seed/' || " + asset_id + " || '.png'",
               "sha256": "md5('a' || %(run)s || g) || md5('b' || %(run)s || g)", "created_at": created,
               "title": f"CASE WHEN mod(g, {TITLED_EVERY}) = 0 THEN 'Hero shot ' || g ELSE '' END"}, params)
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
    _insert_series(AssetCheck, AssetCheck(), count, {
        "id": "nextval(pg_get_serial_sequence('checks_assetcheck', 'id'))", "asset_id": asset_id,
        "status": f"CASE WHEN mod(g, {ATTENTION_EVERY}) = 0 THEN 'attention' ELSE 'passed' END"}, params)
    history = _assigned_history(project, reviewer or user)
    _insert_series(AssignmentItem, AssignmentItem(assignment=history, assignee=reviewer or user, done_at=history.completed_at), count, {
        "id": "nextval(pg_get_serial_sequence('workflow_assignmentitem', 'id'))", "asset_id": asset_id}, params, every=ASSIGNED_EVERY, first=ASSIGNED_FIRST)
    chain = list(Asset.objects.filter(project=project).order_by("-created_at")[:CHAIN_DEPTH])
    AssetLink.objects.bulk_create(
        [AssetLink(child=child, parent=parent, relation="edited_from") for child, parent in zip(chain, chain[1:])]
    )
    seeded = {"chain_end": chain[0], "any_asset": Asset.objects.filter(project=project).order_by("created_at").first()}
    if reviewer is not None:
        seeded["campaign"] = seed_campaign(project, user, reviewer)
    with connection.cursor() as cursor:
        for model in apps.get_models():  # every table the requests read, as autovacuum would have by now
            cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    return seeded


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
        "search, common word": f"/projects/{project.id}/gallery/?" + urlencode({"search": COMMON_WORD}),
        "search, rare word": f"/projects/{project.id}/gallery/?" + urlencode({"search": RARE_WORD}),
        "gallery tag": f"/projects/{project.id}/gallery/?" + urlencode({"tag": "seasonal"}),
        "needs attention": f"/projects/{project.id}/gallery/?" + urlencode({"checks": "attention"}),
        "review queue": f"/projects/{project.id}/review/",
        "waiting on me": f"/projects/{project.id}/assignments/?view=waiting",
        "campaign grid (36)": f"/campaigns/{seeded['campaign'].id}/",
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
        seeded = (seed_postgres if postgres else seed)(project, maker, size, reviewer=user)
        print(f"seeded {size:,} assets in {time.perf_counter() - started:.1f} s", flush=True)
        results[size] = read_path_figures(project, user, seeded, repeat)
    return results


if __name__ == "__main__":
    main()
