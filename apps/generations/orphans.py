"""Output files no row points at. An attempt writes its output (and its model parts) before the
transaction that records it; a worker killed in between leaves bytes under a key of its own
(`<index>.a<attempt>.*`, apps.core.storage_keys) that no asset will ever name, because the retry
writes under its next attempt's key. The sweep removes such files of jobs that finished a while
ago (never of a job still running), on the filesystem and in the bucket alike."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from apps.assets.files import file_delete
from apps.assets.models import Asset
from apps.generations.models import Generation, OrphanSweep

logger = logging.getLogger(__name__)

ATTEMPT_FILE = re.compile(r"^(\d+\.a\d+)\.")  # "0.a2.png", "0.a2.part1.png", "0.a2.thumb-384.1f2e.webp"
BATCH = 500


def _directory(project_id, generation_id) -> str:
    return f"projects/{project_id}/generations/{generation_id}"


def orphans_sweep(*, now=None) -> OrphanSweep:
    """Remove the attempt files of jobs finished between ORPHAN_LOOKBACK_SECONDS and
    ORPHAN_MIN_AGE_SECONDS ago that no asset of their job points at, and older than the minimum
    age themselves. Queries: one per BATCH jobs, whatever the number of files."""
    now = now or timezone.now()
    youngest = now - timedelta(seconds=settings.ORPHAN_MIN_AGE_SECONDS)
    jobs = Generation.objects.filter(finished_at__gte=now - timedelta(seconds=settings.ORPHAN_LOOKBACK_SECONDS), finished_at__lte=youngest)
    looked = removed = size = 0
    for chunk in _chunks(jobs.values_list("pk", "project_id").order_by("finished_at", "pk").iterator(chunk_size=BATCH)):
        kept = {}  # per job, the attempts whose files an asset points at
        for generation_id, key in Asset.objects.filter(generation_id__in=[pk for pk, _ in chunk]).values_list("generation_id", "file"):
            match = ATTEMPT_FILE.match(key.rsplit("/", 1)[-1])
            if match:
                kept.setdefault(generation_id, set()).add(match[1])
        for generation_id, project_id in chunk:
            looked += 1
            directory = _directory(project_id, generation_id)
            try:
                _, names = default_storage.listdir(directory)
            except (FileNotFoundError, NotADirectoryError):
                continue
            for name in names:
                match = ATTEMPT_FILE.match(name)
                if match is None or match[1] in kept.get(generation_id, ()):
                    continue
                key = f"{directory}/{name}"
                if default_storage.get_modified_time(key) > youngest:
                    continue  # written lately: leave it for the next sweep
                size += default_storage.size(key)
                file_delete(key)
                removed += 1
                logger.info("removed orphaned output %s (no asset of generation %s points at it)", key, generation_id)
    sweep = OrphanSweep.objects.create(jobs_looked_at=looked, files_removed=removed, bytes_removed=size)
    logger.info("orphan sweep: %d jobs looked at, %d files removed (%d bytes)", looked, removed, size)
    return sweep


def _chunks(rows):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == BATCH:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
