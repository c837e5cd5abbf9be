"""The generate page offers batch delivery; a batch job's card says it waits in a batch."""

from decimal import Decimal

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


def test_the_form_offers_batch_with_its_turnaround_and_its_quote_gives_both_prices(client, project, logged_in_editor, upstream):
    page = client.get(reverse("generate", args=[project.pk])).content.decode()
    assert 'name="delivery" value="batch"' in page and 'name="delivery" value="interactive"' in page
    assert "up to 24 hours" in page
    # Prices come from the server's quote (the form asks it), never from a copy in the script.
    quote = client.post(f"/api/v1/projects/{project.pk}/generations/quote/",
                        {"model": "nano-banana-2", "image_size": "512", "delivery": "batch"}, content_type="application/json").json()
    assert Decimal(quote["estimate_usd"]) == Decimal("0.0225")
    assert {delivery: Decimal(usd) for delivery, usd in quote["estimates_usd"].items()} == {"interactive": Decimal("0.045"), "batch": Decimal("0.0225")}


def submit_batch_job(client, project, batch_upstream):
    """The generate form sent with Batch chosen, its batch made upstream and left waiting."""
    batch_upstream.batches.delay = 3600
    client.post(reverse("generate", args=[project.pk]), {
        "prompt": "Mia holding the mug", "model": "nano-banana-2", "image_size": "512", "aspect_ratio": "4:5",
        "count": 1, "request_key": "k1", "delivery": "batch",
    })
    job = Generation.objects.get()
    assert job.status == Status.QUEUED and job.delivery == "batch"
    [batch] = batch_group_submit(generation_ids=[job.pk])
    batch.refresh_from_db()
    return job, batch


def test_a_batch_job_from_the_form_waits_in_its_batch_on_its_card(client, project, logged_in_editor, batch_upstream):
    job, _batch = submit_batch_job(client, project, batch_upstream)

    card = client.get(reverse("generation-page", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "Waiting in an upstream batch (pending" in card and "last checked" in card
    assert 'hx-trigger="every 30s"' in card


def test_the_job_page_names_the_delivery_and_the_upstream_batch(client, project, logged_in_editor, batch_upstream):
    job, batch = submit_batch_job(client, project, batch_upstream)

    page = client.get(reverse("generation-page", args=[job.pk])).content.decode()
    assert "Batch (half price, up to 24 h)" in page and batch.upstream_name in page and "pending" in page
