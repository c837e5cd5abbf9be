"""Rights that follow the lineage (issue 31): what a release change, a download check and an
export's filter cost when one release is behind hundreds of campaign finals.

    .venv/bin/python -m bench.rights [--drafts 100] [--languages 3] [--depth 40] [--repeat 5]

On a throw-away SQLite database (rows only: no image files are needed to compute rights):
- a character image under one release; `--drafts` drafts made with it, each translated into
  `--languages` languages, each translation upscaled to a 4K final (drafts × (1 + 2 × languages) assets);
- a separate chain `--depth` edits deep from another image.
Figures, the median of `--repeat` runs each: the recompute after the release's end date changes
(seconds and queries), the same for the deep chain, one `use_check` (a download's check), the
export's `use_refusals` over every asset, and the nightly run.
"""

from __future__ import annotations

import argparse
import time
from datetime import timedelta

from bench._common import django_setup, median


def _world(drafts: int, languages: int, depth: int):
    from django.utils import timezone

    from apps.assets.models import Asset, AssetLink
    from apps.generations.models import Generation, GenerationReference
    from apps.library.models import LibraryEntry, ReferenceImage
    from apps.projects.models import Project
    from apps.rights.models import Right

    project = Project.objects.create(name="Bench rights")

    def image(name):
        entry = LibraryEntry.objects.create(project=project, kind="character", name=name)
        return ReferenceImage.objects.create(entry=entry, file=f"bench/{name}.png", mime_type="image/png", width=8, height=8, size_bytes=1, sha256=name * 8)

    def assets(count, generations):
        rows = [Asset(project=project, generation=g, file=f"bench/{i}.png", mime_type="image/png", width=8, height=8, size_bytes=1, sha256="0" * 64)
                for i, g in zip(range(count), generations)]
        Asset.objects.bulk_create(rows)
        return rows

    def jobs(count, kind):
        return Generation.objects.bulk_create([Generation(project=project, kind=kind, prompt="p", model="gemini-3.1-flash-image-preview",
                                                           aspect_ratio="1:1", image_size="1K") for _ in range(count)])

    mira, deep = image("Mira"), image("Deep")
    today = timezone.localdate()
    release = Right.objects.create(project=project, reference_image=mira, holder="Mira Jones", kind="talent_release", ends_on=today + timedelta(days=60))
    deep_right = Right.objects.create(project=project, reference_image=deep, holder="Deep Ltd", kind="licensed", ends_on=today + timedelta(days=60))
    draft_jobs = jobs(drafts, "generate")
    GenerationReference.objects.bulk_create([GenerationReference(generation=g, reference_image=mira, label="Mira", sha256=mira.sha256, position=0) for g in draft_jobs])
    draft_assets = assets(drafts, draft_jobs)
    translations = assets(drafts * languages, jobs(drafts * languages, "translate"))
    finals = assets(drafts * languages, jobs(drafts * languages, "upscale"))
    links = [AssetLink(child=t, parent=draft_assets[i // languages], relation="translated_from") for i, t in enumerate(translations)]
    links += [AssetLink(child=f, parent=translations[i], relation="upscaled_from") for i, f in enumerate(finals)]
    chain_job = jobs(1, "generate")[0]
    GenerationReference.objects.create(generation=chain_job, reference_image=deep, label="Deep", sha256=deep.sha256, position=0)
    chain = assets(1, [chain_job]) + assets(depth - 1, jobs(depth - 1, "edit"))
    links += [AssetLink(child=chain[i], parent=chain[i - 1], relation="edited_from") for i in range(1, depth)]
    AssetLink.objects.bulk_create(links)
    return release, deep_right, draft_assets + translations + finals, chain


def _timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        function()
        elapsed = time.perf_counter() - started
    return elapsed, len(queries)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--drafts", type=int, default=100)
    parser.add_argument("--languages", type=int, default=3)
    parser.add_argument("--depth", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.utils import timezone

    from apps.rights import services
    from apps.rights.models import EffectiveRights, Right

    release, deep_right, family, chain = _world(args.drafts, args.languages, args.depth)
    services.rights_nightly()  # every row exists, as after a night
    today = timezone.localdate()
    figures = {"release": [], "release_queries": [], "deep": [], "deep_queries": [], "check": [], "refusals": [], "nightly": []}
    for run in range(args.repeat):
        # the release ended yesterday, then was extended: each a change every descendant follows
        end = today - timedelta(days=1) if run % 2 == 0 else today + timedelta(days=365 + run)
        Right.objects.filter(pk=release.pk).update(ends_on=end)
        seconds, queries = _timed(lambda: services.descendants_refresh(kind="reference_image", pk=release.reference_image_id))
        assert EffectiveRights.objects.filter(asset__in=[a.pk for a in family], ends_on=end).count() == len(family)
        figures["release"].append(seconds)
        figures["release_queries"].append(queries)
        Right.objects.filter(pk=deep_right.pk).update(ends_on=end)
        seconds, queries = _timed(lambda: services.descendants_refresh(kind="reference_image", pk=deep_right.reference_image_id))
        figures["deep"].append(seconds)
        figures["deep_queries"].append(queries)
        last = family[-1]
        started = time.perf_counter()
        for _ in range(200):
            try:
                services.use_check(last, use="download")
            except services.RightsExpired:
                pass
        figures["check"].append((time.perf_counter() - started) / 200)
        seconds, _ = _timed(lambda: services.use_refusals(family, territory="DE"))
        figures["refusals"].append(seconds)
        seconds, _ = _timed(lambda: services.rights_nightly())
        figures["nightly"].append(seconds)

    print(f"rights bench: {len(family)} assets behind one release ({args.drafts} drafts x {args.languages} languages, translated and upscaled), "
          f"a chain {args.depth} deep; median of {args.repeat} runs (SQLite, this machine)")
    print(f"  release change, recompute of all {len(family)} descendants: {median(figures['release']) * 1000:.0f} ms, "
          f"{median(figures['release_queries'])} queries")
    print(f"  change at the root of a {args.depth}-deep chain: {median(figures['deep']) * 1000:.1f} ms, {median(figures['deep_queries'])} queries")
    print(f"  one download's use_check: {median(figures['check']) * 1e6:.0f} µs")
    print(f"  an export's use_refusals over {len(family)} assets (territory=DE): {median(figures['refusals']) * 1000:.1f} ms")
    print(f"  nightly run ({len(family) + len(chain)} assets recomputed, announcements, digest): {median(figures['nightly']) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
