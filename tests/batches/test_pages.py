"""The generate page offers batch delivery; a batch job's card says it waits in a batch."""

import pytest
from django.urls import reverse

from apps.batches.services import batch_group_submit
from apps.generations.models import Generation, Status
from tests.factories import member

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in_editor(client, project):
    editor = member(project, "editor")
    client.force_login(editor)
    return editor


def test_the_form_offers_batch_with_its_turnaround_and_the_script_gets_both_prices(client, project, logged_in_editor):
    page = client.get(reverse("generate", args=[project.pk])).content.decode()
    assert 'name="delivery" value="batch"' in page and 'name="delivery" value="interactive"' in page
    assert "up to 24 hours" in page
    assert '"batch_prices": {"512": "0.0225"' in page and '"prices": {"512": "0.045"' in page


def test_a_batch_job_from_the_form_waits_in_its_batch_on_its_card(client, project, logged_in_editor, batch_upstream):
    batch_upstream.batches.delay = 3600
    client.post(reverse("generate", args=[project.pk]), {
        "prompt": "Mia holding the mug", "model": "nano-banana-2", "image_size": "512", "aspect_ratio": "4:5",
        "count": 1, "request_key": "k1", "delivery": "batch",
    })
    job = Generation.objects.get()
    assert job.status == Status.QUEUED and job.delivery == "batch"
    batch_group_submit(generation_ids=[job.pk])

    card = client.get(reverse("generation-page", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Waiting in an upstream batch (pending" in card and "last checked" in card
    assert 'hx-trigger="every 30s"' in card
