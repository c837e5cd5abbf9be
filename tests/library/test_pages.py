import pytest
from django.urls import reverse

from apps.library.models import LibraryEntry
from tests.factories import LibraryEntryFactory, reference_image
from tests.images import image_bytes

pytestmark = pytest.mark.django_db


def _png(name, **kwargs):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, image_bytes(**kwargs), content_type="image/png")


def test_editor_creates_a_character_and_uploads_two_images(client, project, editor):
    client.force_login(editor)
    response = client.post(reverse("library", args=[project.pk]), {"kind": "character", "name": "Mia", "description": "barista"})
    entry = LibraryEntry.objects.get(project=project, name="Mia")
    assert response.status_code == 302 and response["Location"] == reverse("library-entry", args=[entry.pk])

    response = client.post(reverse("library-entry-upload", args=[entry.pk]), {"images": [_png("a.png"), _png("b.png", colour=(1, 2, 3))]})
    assert response.status_code == 302
    assert entry.images.count() == 2
    page = client.get(reverse("library", args=[project.pk])).content.decode()
    assert "2 / 4 reference images" in page


def test_a_duplicate_name_is_refused_next_to_the_name_field(client, project, editor):
    LibraryEntryFactory(project=project, name="Mia")
    client.force_login(editor)
    response = client.post(reverse("library", args=[project.pk]), {"kind": "character", "name": "Mia"})
    assert response.status_code == 400
    assert "already has a character named &#x27;Mia&#x27;" in response.content.decode()


def test_over_the_limit_and_bad_files_are_named_and_the_good_ones_kept(client, project, editor):
    entry = LibraryEntryFactory(project=project, name="Mia")
    for colour in [(1, 1, 1), (2, 2, 2), (3, 3, 3)]:
        reference_image(entry, colour=colour)
    client.force_login(editor)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(reverse("library-entry-upload", args=[entry.pk]), {
        "images": [SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain"), _png("ok.png"), _png("fifth.png", colour=(9, 9, 9))],
    })
    page = response.content.decode()
    assert response.status_code == 400
    assert "notes.txt:" in page and "fifth.png: A character holds at most 4 reference images" in page
    assert entry.images.filter(archived_at__isnull=True).count() == 4


def test_viewer_sees_no_library_forms_and_is_refused_when_posting(client, project, viewer):
    entry = LibraryEntryFactory(project=project)
    client.force_login(viewer)
    assert "Add a character or object" not in client.get(reverse("library", args=[project.pk])).content.decode()
    assert client.post(reverse("library", args=[project.pk]), {"kind": "character", "name": "X"}).status_code == 403
    response = client.post(reverse("library-entry-upload", args=[entry.pk]), {"images": [_png("a.png")]})
    assert response.status_code == 403
    assert "Your role (viewer) may not change this project" in response.content.decode()
    assert not entry.images.exists()


def test_archiving_an_image_keeps_it_out_of_the_library(client, project, editor):
    entry = LibraryEntryFactory(project=project)
    image = reference_image(entry)
    client.force_login(editor)
    assert client.post(reverse("reference-image-archive", args=[image.pk])).status_code == 302
    image.refresh_from_db()
    assert image.archived_at is not None


def test_the_library_lists_the_brand_logos_under_their_own_heading(client, project, editor):
    logo = LibraryEntryFactory(project=project, kind="logo", name="House mark")
    reference_image(logo)
    client.force_login(editor)
    page = client.get(reverse("library", args=[project.pk])).content.decode()
    logos = page[page.index("<h2>Logos</h2>"):]
    assert "House mark" in logos and "1 / " in logos
