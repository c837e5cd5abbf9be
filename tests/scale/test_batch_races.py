"""Batch delivery under real concurrency (PostgreSQL): workers racing to group the same jobs make
one upstream batch, and pollers racing to collect it store each output once."""

import threading

import pytest
from django.db import connection

from apps.batches.models import BatchRequest, UpstreamBatch
from apps.batches.services import batch_group_submit, batch_poll
from apps.generations.models import Generation
from tests.conftest import emulated_batches
from tests.factories import ProjectFactory

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


def at_once(function, threads: int = 4) -> None:
    """Run `function` in several threads released together, each on its own connection."""
    start = threading.Barrier(threads)
    errors = []

    def run():
        try:
            start.wait()
            function()
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert errors == []


def test_racing_workers_group_and_collect_a_job_once(batch_upstream):
    project = ProjectFactory()
    jobs = [
        Generation.objects.create(
            project=project, prompt=f"a lantern {i}", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1",
            image_size="512", count=2, delivery="batch",
        )
        for i in range(3)
    ]
    ids = [job.pk for job in jobs]

    at_once(lambda: batch_group_submit(generation_ids=ids))

    assert UpstreamBatch.objects.count() == 1 and BatchRequest.objects.count() == 6
    assert len(emulated_batches(batch_upstream)) == 1

    at_once(batch_poll)

    for job in jobs:
        job.refresh_from_db()
        assert job.status == "succeeded" and job.assets.count() == 2
    assert UpstreamBatch.objects.get().collected_at is not None
