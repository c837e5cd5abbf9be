"""Issue 31 on PostgreSQL: a rights change racing a new generation from the same reference image
leaves the new asset with the new rights, whichever commits first.

Two threads, each on its own database connection: one extends the release (the service, then the
queue's recompute of every descendant, run in this process as the task would), the other stores an
asset a job made with that image (asset_create; its asset_stored receiver computes the rights).
Each recompute locks the asset rows it writes, so the later one reads the rights the earlier could
not see. Repeated with jitter so both orders, and the interleavings between, happen."""

import random
import threading
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from apps.assets.models import Origin
from apps.generations.models import GenerationReference
from apps.rights import services
from apps.rights.models import EffectiveRights, Right
from config.celery import app as celery_app
from tests.factories import GenerationFactory, LibraryEntryFactory, ProjectFactory, UserFactory, reference_image, stored_asset

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]

ROUNDS = 16


@pytest.fixture
def inline_tasks():
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def test_a_rights_change_racing_a_new_generation_leaves_the_new_asset_with_the_new_rights(inline_tasks):
    assert connection.vendor == "postgresql"
    project = ProjectFactory()
    editor = UserFactory()
    image = reference_image(LibraryEntryFactory(project=project, name="Mira"))
    today = timezone.localdate()
    right = Right.objects.create(project=project, reference_image=image, holder="Mira Jones", kind="talent_release", ends_on=today - timedelta(days=1))
    outcomes = []
    for round_number in range(ROUNDS):
        generation = GenerationFactory(project=project)
        GenerationReference.objects.create(generation=generation, reference_image=image, label="Mira", sha256=image.sha256, position=0)
        new_end = today + timedelta(days=100 + round_number)
        start = threading.Barrier(2)
        made, errors = [], []

        def change():
            try:
                start.wait()
                time.sleep(random.uniform(0, 0.03))
                current = Right.objects.get(pk=right.pk)
                services.right_update(right=current, user=None, fields={"ends_on": new_end})
            except Exception as exc:  # surfaced below
                errors.append(exc)
            finally:
                connection.close()

        def generate():
            try:
                start.wait()
                time.sleep(random.uniform(0, 0.03))
                made.append(stored_asset(project, user=editor, origin=Origin.GENERATED, generation=generation, width=32, height=32))
            except Exception as exc:
                errors.append(exc)
            finally:
                connection.close()

        threads = [threading.Thread(target=change), threading.Thread(target=generate)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        row = EffectiveRights.objects.get(asset=made[0])
        outcomes.append(row.ends_on == new_end)
        assert row.ends_on == new_end, f"round {round_number}: the new asset kept {row.ends_on}, the release now ends {new_end}"
        assert services.use_check(made[0], use="download").ends_on == new_end
    assert all(outcomes) and len(outcomes) == ROUNDS
