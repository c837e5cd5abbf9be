"""Many jobs in one transaction: validated as a whole, refused as a whole, stored in bulk."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.exceptions import ValidationFailed
from apps.generations.models import Generation, GenerationReference, GenerationSource
from apps.generations.services import (
    MAX_JOBS_PER_BATCH,
    GenerationInput,
    generations_create_many,
)
from apps.library.models import EntryKind
from tests.factories import LibraryEntryFactory, reference_image, stored_asset

pytestmark = pytest.mark.django_db


def test_jobs_are_stored_with_their_references_and_sources_in_a_few_queries(project, editor):
    products = [LibraryEntryFactory(project=project, kind=EntryKind.OBJECT) for _ in range(3)]
    for product in products:
        reference_image(product)
    source = stored_asset(project, user=editor)
    items = [
        GenerationInput(prompt=f"scene {i}", objects=[products[i % 3].pk], aspect_ratio="4:5", image_size="512", count=2)
        for i in range(60)
    ] + [GenerationInput(kind="translate", target_language="de", source_assets=[source.pk], aspect_ratio="4:3", image_size="512")]

    with CaptureQueriesContext(connection) as queries:
        made = generations_create_many(project=project, user=editor, items=items)

    assert len(made) == Generation.objects.count() == 61
    assert GenerationReference.objects.count() == 60 and GenerationSource.objects.get().asset == source
    translate = Generation.objects.get(kind="translate")
    assert (translate.aspect_ratio, translate.image_size, translate.target_language) == ("4:3", "512", "de")
    assert len(queries) < 25, [q["sql"][:80] for q in queries.captured_queries]


def test_one_bad_item_refuses_the_whole_batch(project, editor):
    items = [GenerationInput(prompt="fine", image_size="512")] * 5 + [GenerationInput(prompt="bad", model="nano-banana-pro", aspect_ratio="8:1")]
    with pytest.raises(ValidationFailed) as refusal:
        generations_create_many(project=project, user=editor, items=items)
    assert refusal.value.field == "aspect_ratio"
    assert not Generation.objects.exists()


def test_a_batch_over_the_limit_is_refused_naming_it(project, editor):
    with pytest.raises(ValidationFailed) as refusal:
        generations_create_many(project=project, user=editor, items=[GenerationInput(prompt="x")] * (MAX_JOBS_PER_BATCH + 1))
    assert refusal.value.details == {"limit": MAX_JOBS_PER_BATCH, "value": MAX_JOBS_PER_BATCH + 1}
    assert not Generation.objects.exists()
