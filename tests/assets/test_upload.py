import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from apps.assets.models import Asset
from tests.images import image_bytes, open_image

pytestmark = pytest.mark.django_db


def upload(api, user, project, data: bytes, name="photo.png"):
    return api(user).post(
        f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile(name, data)}, format="multipart"
    )


def test_upload_becomes_a_pending_asset_with_hash_and_thumbnail(api, editor, project):
    data = image_bytes(800, 600, fmt="JPEG")
    response = upload(api, editor, project, data, name="shot.png")  # the name lies; the content decides

    assert response.status_code == 201, response.json()
    asset = response.json()
    assert (asset["origin"], asset["kind"], asset["mime_type"]) == ("upload", "upload", "image/jpeg")
    assert (asset["width"], asset["height"], asset["review_status"]) == (800, 600, "pending")
    assert asset["thumbnail_url"]


def test_exif_orientation_is_applied_and_location_dropped(api, editor, project):
    image = Image.new("RGB", (200, 100), (0, 128, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° when shown
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)

    asset = upload(api, editor, project, out.getvalue()).json()
    stored = open_image(b"".join(api(editor).get(f"/api/v1/assets/{asset['id']}/file/").streaming_content))
    assert stored.size == (100, 200)
    assert not stored.getexif()


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"hello, I am text", "unsupported_type"),
        (image_bytes(300, 300)[:200], "corrupt"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "unsupported_type"),
        (image_bytes(32, 32, fmt="GIF"), "unsupported_type"),
    ],
)
def test_bad_uploads_are_clear_400s(api, editor, project, data, code):
    response = upload(api, editor, project, data)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["field"] == "image"
    assert not Asset.objects.exists()


def test_pixel_bomb_is_refused_before_decoding(api, editor, project):
    # 20000x20000 palette PNG compresses to a few KB but would decode to 400 MP.
    data = image_bytes(20000, 20000, mode="1")
    response = upload(api, editor, project, data)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "too_many_pixels" and "50,000,000 pixels" in error["message"]


def test_byte_limit_names_the_limit(api, editor, project, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    response = upload(api, editor, project, image_bytes(300, 300, fmt="BMP"))
    assert response.status_code == 413
    assert "1,000 bytes" in response.json()["error"]["message"]


def test_viewer_cannot_upload(api, viewer, project):
    assert upload(api, viewer, project, image_bytes()).status_code == 403


def test_image_over_our_pixel_limit_names_its_size(api, editor, project, settings):
    settings.UPLOAD_MAX_PIXELS = 10_000
    response = upload(api, editor, project, image_bytes(200, 100))
    assert response.status_code == 400
    assert "200x100" in response.json()["error"]["message"] and "10,000 pixels" in response.json()["error"]["message"]


@pytest.mark.parametrize("mode", ["CMYK", "P", "RGBA", "LA", "I;16"])
def test_unusual_modes_are_handled(api, editor, project, mode):
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    response = upload(api, editor, project, image_bytes(40, 30, fmt=fmt, mode=mode))
    assert response.status_code == 201, response.json()
    thumb = api(editor).get(response.json()["thumbnail_url"])
    assert thumb.status_code == 200
