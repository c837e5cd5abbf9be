import factory
from django.contrib.auth import get_user_model

from apps.assets.images import sanitize_upload
from apps.assets.models import Origin
from apps.assets.files import file_write
from apps.assets.services import asset_create
from apps.library.models import EntryKind, LibraryEntry, ReferenceImage
from apps.projects.models import Membership, Project, Role
from tests.images import image_bytes


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    @factory.post_generation
    def password(user, create, extracted, **kwargs):
        user.set_password(extracted or "pw-for-tests")
        if create:
            user.save(update_fields=["password"])


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Brand {n}")
    brief = "Warm colours, friendly tone."


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    project = factory.SubFactory(ProjectFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EDITOR


def member(project, role: str, username: str | None = None):
    """A user holding `role` on `project`."""
    user = UserFactory(username=username) if username else UserFactory()
    MembershipFactory(project=project, user=user, role=role)
    return user


def stored_asset(project, *, user=None, width: int = 640, height: int = 480, origin=Origin.UPLOAD, generation=None, output_index=0, parents=()):
    """An asset with real bytes in storage, as an upload or a job output would leave it."""
    from apps.core.storage_keys import upload_key

    image = sanitize_upload(image_bytes(width, height))
    key = upload_key(project_id=project.id, extension="png")
    file_write(key, image.data)
    return asset_create(
        project=project, key=key, image=image, origin=origin, created_by=user,
        generation=generation, output_index=output_index, parents=list(parents),
    )


class LibraryEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LibraryEntry

    project = factory.SubFactory(ProjectFactory)
    kind = EntryKind.CHARACTER
    name = factory.Sequence(lambda n: f"Entry {n}")
    description = "a cheerful mascot"


def reference_image(entry, *, colour=(10, 120, 200)) -> ReferenceImage:
    import hashlib

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    data = image_bytes(96, 96, colour=colour)
    key = default_storage.save(f"projects/{entry.project_id}/library/{entry.pk}/{hashlib.sha256(data).hexdigest()}.png", ContentFile(data))
    return ReferenceImage.objects.create(
        entry=entry, file=key, mime_type="image/png", width=96, height=96, size_bytes=len(data), sha256=hashlib.sha256(data).hexdigest()
    )


class GenerationFactory(factory.django.DjangoModelFactory):
    """A queued generate job as generation_create stores it (for engine tests that drive the run)."""

    class Meta:
        model = "generations.Generation"

    project = factory.SubFactory(ProjectFactory)
    kind = "generate"
    prompt = factory.Sequence(lambda n: f"a picture {n}")
    model = "gemini-3.1-flash-image-preview"
    aspect_ratio = "1:1"
    image_size = "512"


def asset_check(asset, *, failed=(), warned=(), checking=False, results=None, kit_version=1):
    """A stored brand-check reading of `asset`, as the checks worker would leave it: every check
    passing except those named in `failed` / `warned`; `checking` leaves it waiting for the worker."""
    from django.utils import timezone

    from apps.checks.models import AssetCheck, CheckStatus, status_for

    if results is None:
        results = [
            {"check": name, "outcome": "fail" if name in failed else "warn" if name in warned else "pass",
             "message": f"{name} {'failed' if name in failed else 'looks fine'} (test reading).", "figures": {}, "boxes": []}
            for name in ("copy", "spelling", "language", "terms", "palette", "logo", "contrast", "size", "near_duplicate")
        ]
    status = CheckStatus.CHECKING if checking else status_for(results)
    check, _ = AssetCheck.objects.update_or_create(asset=asset, defaults={
        "status": status, "results": [] if checking else results, "kit_version": kit_version,
        "queued_at": timezone.now(), "finished_at": None if checking else timezone.now(),
    })
    return check
