"""Thumbnails are made after a job is done (the renditions queue) or by the first request that
finds none, once per asset and spec; pages never wait on them or break without them."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.assets.files import file_write
from apps.assets.models import Rendition
from apps.assets.renditions import rendition_key, rendition_save, thumbnail_get_or_make, thumbnail_spec
from tests.factories import stored_asset
from tests.images import image_bytes, open_image

pytestmark = pytest.mark.django_db


def thumbnail_of(response) -> bytes:
    return b"".join(response.streaming_content)


def test_an_asset_whose_thumbnail_is_pending_shows_on_the_pages_and_its_first_request_makes_it(api, client, project, viewer):
    asset = stored_asset(project, width=1600, height=900)  # no worker has run: no thumbnail yet
    assert not Rendition.objects.filter(asset=asset).exists()
    client.force_login(viewer)
    thumbnail_url = reverse("asset-thumbnail", args=[asset.pk])
    for page in ("gallery", "asset-page"):
        answer = client.get(reverse(page, args=[project.pk if page == "gallery" else asset.pk]))
        assert answer.status_code == 200 and thumbnail_url in answer.content.decode()
    assert api(viewer).get(f"/api/v1/assets/{asset.pk}/").json()["thumbnail_url"].endswith(thumbnail_url)

    first = api(viewer).get(thumbnail_url)
    assert first.status_code == 200 and first["Content-Type"] == "image/webp"
    image = open_image(thumbnail_of(first))
    assert image.format == "WEBP" and image.size == (384, 216)
    [row] = Rendition.objects.filter(asset=asset)
    assert (row.spec, row.width, row.height) == ("thumb-384", 384, 216) and default_storage.size(row.file.name) == row.size_bytes

    again = api(viewer).get(thumbnail_url)
    assert thumbnail_of(again) == default_storage.open(row.file.name).read()
    assert Rendition.objects.filter(asset=asset).count() == 1  # served, not made twice


def test_the_renditions_queue_makes_the_thumbnail_once_the_upload_is_committed(api, editor, project, run_tasks_inline):
    answer = api(editor).post(f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("tall.png", image_bytes(900, 1600))}, format="multipart")
    assert answer.status_code == 201, answer.json()
    [row] = Rendition.objects.filter(asset_id=answer.json()["id"])
    assert (row.spec, row.width, row.height) == (thumbnail_spec(), 216, 384)


def test_a_second_maker_of_the_same_spec_keeps_the_first_and_deletes_its_own_file(project):
    asset = stored_asset(project)
    first = thumbnail_get_or_make(asset)
    late = file_write(rendition_key(asset, thumbnail_spec(), "webp"), b"a racing maker's copy")
    kept, created = rendition_save(asset, thumbnail_spec(), late, mime_type="image/webp", width=1, height=1, size_bytes=21)
    assert kept == first and not created
    assert not default_storage.exists(late) and default_storage.exists(first.file.name)


def test_a_new_thumbnail_size_makes_new_thumbnails_on_request(api, project, viewer, settings):
    asset = stored_asset(project, width=1000, height=1000)
    thumbnail_get_or_make(asset)
    settings.THUMBNAIL_MAX_SIDE = 128
    answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/thumbnail/")
    assert open_image(thumbnail_of(answer)).size == (128, 128)
    assert sorted(Rendition.objects.filter(asset=asset).values_list("spec", flat=True)) == ["thumb-128", "thumb-384"]


def test_a_stored_image_that_cannot_be_read_answers_503_with_why_and_stores_nothing(api, project, viewer):
    asset = stored_asset(project)
    file_write(asset.file.name, b"\x89PNG\r\n\x1a\n but the rest is gone")
    answer = api(viewer).get(f"/api/v1/assets/{asset.pk}/thumbnail/")
    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "thumbnail_unavailable" and "could not be made" in error["message"]
    assert not Rendition.objects.filter(asset=asset).exists()


def test_outsiders_get_no_thumbnail_and_none_is_made_for_them(api, project, outsider):
    asset = stored_asset(project)
    assert api(outsider).get(f"/api/v1/assets/{asset.pk}/thumbnail/").status_code == 404
    assert not Rendition.objects.filter(asset=asset).exists()


def test_pages_show_a_web_size_copy_and_keep_the_stored_file_for_full_size_and_download(api, client, project, viewer):
    """Issue 28 item 10: a 9:16 4K PNG is shown as a WebP of at most 1600 px, made once and kept;
    "Full size" (the lightbox link) and Download still get the stored file."""
    asset = stored_asset(project, width=2160, height=3840)
    display_url, file_url = reverse("asset-display", args=[asset.pk]), reverse("asset-file", args=[asset.pk])
    client.force_login(viewer)
    page = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
    assert f'src="{display_url}"' in page and f'src="{file_url}"' not in page
    assert f'href="{file_url}" data-display="{display_url}"' in page and f'href="{file_url}?credentials=1" download' in page

    first = api(viewer).get(display_url)
    assert first.status_code == 200 and first["Content-Type"] == "image/webp"
    shown = thumbnail_of(first)
    image = open_image(shown)
    assert image.format == "WEBP" and image.size == (900, 1600)
    [row] = Rendition.objects.filter(asset=asset, spec="display-1600")
    assert len(shown) == row.size_bytes < asset.size_bytes
    assert thumbnail_of(api(viewer).get(display_url)) == default_storage.open(row.file.name).read()
    assert Rendition.objects.filter(asset=asset, spec="display-1600").count() == 1  # kept, not made per request
    assert open_image(thumbnail_of(api(viewer).get(file_url))).size == (2160, 3840)


def test_a_small_image_is_not_enlarged_for_display(api, project, viewer):
    asset = stored_asset(project, width=640, height=480)
    image = open_image(thumbnail_of(api(viewer).get(reverse("asset-display", args=[asset.pk]))))
    assert image.size == (640, 480)


def test_an_unreadable_stored_file_answers_503_for_the_display_copy(api, project, viewer):
    asset = stored_asset(project, width=64, height=64)
    file_write(asset.file.name, b"not an image")
    answer = api(viewer).get(reverse("asset-display", args=[asset.pk]))
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "display_image_unavailable"
    assert not Rendition.objects.filter(asset=asset).exists()
