"""Editors refining the same asset at the same moment, through gunicorn on PostgreSQL: one thread
and one seed turn, every request a turn of it (each a branch from the seed)."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from apps.projects.models import Project
from apps.refinements.models import Thread, Turn
from tests.factories import stored_asset

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]

EDITORS = 8


def test_simultaneous_first_refines_share_one_thread(rest, rest_as):
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    asset = stored_asset(Project.objects.get(pk=project["id"]))
    clients = [rest_as(project["id"], "editor") for _ in range(EDITORS)]
    start = threading.Barrier(EDITORS)

    def refine(client):
        start.wait()
        return client.post(f"/api/v1/assets/{asset.pk}/refine/", {"prompt": "warmer light"})

    with ThreadPoolExecutor(EDITORS) as pool:
        answers = list(pool.map(refine, clients))

    assert [answer.status_code for answer in answers] == [201] * EDITORS, [a.text for a in answers]
    thread = Thread.objects.get(seed_asset=asset)
    assert {answer.json()["thread"] for answer in answers} == {str(thread.pk)}
    seed = Turn.objects.get(thread=thread, parent__isnull=True)
    assert Turn.objects.filter(thread=thread, parent=seed).count() == EDITORS
