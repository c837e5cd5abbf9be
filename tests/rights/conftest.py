from datetime import date, timedelta

import pytest
from django.utils import timezone

from apps.assets.models import Origin
from apps.generations.models import GenerationReference
from apps.rights.models import Right
from tests.factories import GenerationFactory, LibraryEntryFactory, reference_image, stored_asset


def today() -> date:
    return timezone.localdate()


def right_on(image=None, *, asset=None, holder="Mira Jones", kind="talent_release", ends_on=None, starts_on=None, territories=(), channels=()):
    """A right as the service records it (rows only: the tests decide when to recompute)."""
    project = image.entry.project if image is not None else asset.project
    return Right.objects.create(
        project=project, reference_image=image, asset=asset, holder=holder, kind=kind, ends_on=ends_on, starts_on=starts_on,
        territories=list(territories), channels=list(channels),
    )


def made_with(project, images, *, parents=(), kind="generate", user=None, size="1K"):
    """An asset a job made with these reference images and from these parent assets."""
    generation = GenerationFactory(project=project, kind=kind, image_size=size)
    for position, image in enumerate(images):
        GenerationReference.objects.create(generation=generation, reference_image=image, label=image.entry.name, sha256=image.sha256, position=position)
    return stored_asset(project, user=user, origin=Origin.GENERATED, generation=generation, parents=list(parents), width=64, height=48)


@pytest.fixture
def mira(project):
    entry = LibraryEntryFactory(project=project, name="Mira")
    return reference_image(entry)


@pytest.fixture
def family(project, mira, editor):
    """A character image and what was made from it: a draft, its translation and its 4K final."""
    draft = made_with(project, [mira], user=editor)
    translation = made_with(project, [], parents=[(draft, "translated_from")], kind="translate", user=editor)
    final = made_with(project, [], parents=[(translation, "upscaled_from")], kind="upscale", size="4K", user=editor)
    return {"draft": draft, "translation": translation, "final": final}


def yesterday() -> date:
    return today() - timedelta(days=1)


@pytest.fixture
def queue_inline(django_capture_on_commit_callbacks):
    """Tasks sent on commit run here and now (the real task code, without a broker or a second
    database connection): `with queue_inline(): ...`."""
    from config.celery import app

    app.conf.task_always_eager = True
    yield lambda: django_capture_on_commit_callbacks(execute=True)
    app.conf.task_always_eager = False
