"""Polyglot uploads: a valid image carrying a payload (after its end, or in a text chunk) is stored
as its pixels only. Every upload is re-encoded; the stored bytes and their sha256 are what we serve."""

import hashlib
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms, PngImagePlugin

from tests.images import image_bytes, open_image

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"


def zip_payload() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", SCRIPT.decode())
    return out.getvalue()


def png_with_text_chunks() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", SCRIPT.decode())
    info.add_text("Description", SCRIPT.decode(), zip=True)  # zTXt
    info.add_itxt("XML:com.adobe.xmp", SCRIPT.decode())
    return image_bytes(120, 80, pnginfo=info)


POLYGLOTS = {
    "png+script": (image_bytes(120, 80) + SCRIPT, SCRIPT, "image/png"),
    "png+zip": (image_bytes(120, 80) + zip_payload(), b"payload.html", "image/png"),
    "jpeg+bytes-after-eoi": (image_bytes(120, 80, fmt="JPEG") + b"\xff\xd8" + SCRIPT, SCRIPT, "image/jpeg"),
    "jpeg+zip": (image_bytes(120, 80, fmt="JPEG") + zip_payload(), b"payload.html", "image/jpeg"),
    "jpeg-comment": (image_bytes(120, 80, fmt="JPEG", comment=SCRIPT), SCRIPT, "image/jpeg"),
    "png-text-chunks": (png_with_text_chunks(), b"alert(", "image/png"),
    "webp+script": (image_bytes(120, 80, fmt="WEBP") + SCRIPT, SCRIPT, "image/webp"),
}


def upload(client, project, data: bytes):
    return client.post(f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("x.png", data)}, format="multipart")


def stored(client, asset) -> bytes:
    response = client.get(f"/api/v1/assets/{asset['id']}/file/")
    assert response.status_code == 200
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("name", POLYGLOTS)
def test_payload_is_not_stored_and_hash_is_of_the_stored_bytes(api, editor, project, name):
    data, marker, mime_type = POLYGLOTS[name]
    assert marker in data  # the payload really is in what we send
    client = api(editor)

    response = upload(client, project, data)

    assert response.status_code == 201, response.json()
    asset = response.json()
    kept = stored(client, asset)
    assert marker not in kept and SCRIPT not in kept
    assert not zipfile.is_zipfile(io.BytesIO(kept))
    assert asset["mime_type"] == mime_type
    assert asset["sha256"] == hashlib.sha256(kept).hexdigest() != hashlib.sha256(data).hexdigest()
    assert asset["size_bytes"] == len(kept)
    image = open_image(kept)
    assert image.size == (120, 80) and not image.info.get("comment") and "Comment" not in image.info


def test_a_reference_image_is_cleaned_the_same_way(api, editor, project):
    client = api(editor)
    character = client.post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mia"}, format="json").json()
    data = image_bytes(96, 96) + zip_payload()

    response = client.post(f"/api/v1/characters/{character['id']}/images/", {"image": SimpleUploadedFile("mia.png", data)}, format="multipart")

    assert response.status_code == 201, response.json()
    kept = b"".join(client.get(response.json()["file_url"]).streaming_content)
    assert b"payload.html" not in kept and response.json()["sha256"] == hashlib.sha256(kept).hexdigest()


def test_an_upload_without_any_metadata_is_still_re_encoded(api, editor, project):
    """The old shortcut (store as sent when there is no metadata) is what let polyglots through."""
    data = image_bytes(64, 48) + b"\x00" * 16
    kept = stored(api(editor), upload(api(editor), project, data).json())
    assert kept != data and kept.endswith(b"IEND\xaeB`\x82")


def test_icc_profile_is_kept_and_gps_dropped_on_every_format(api, editor, project):
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (52.0, 31.0, 0.0)}
    client = api(editor)
    for fmt in ("PNG", "JPEG", "WEBP"):
        data = image_bytes(50, 40, fmt=fmt, icc_profile=icc, exif=exif)
        kept = open_image(stored(client, upload(client, project, data).json()))
        assert kept.info.get("icc_profile") == icc, fmt
        assert not kept.getexif(), fmt


def test_jpeg_keeps_its_quality_and_lossless_webp_its_pixels(api, editor, project):
    client = api(editor)
    photo = Image.effect_noise((400, 300), 60).convert("RGB")
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=70)
    kept = stored(client, upload(client, project, out.getvalue()).json())
    assert open_image(kept).quantization == Image.open(io.BytesIO(out.getvalue())).quantization
    assert len(kept) < 1.2 * len(out.getvalue())  # not blown up to quality 100

    lossless = io.BytesIO()
    photo.save(lossless, format="WEBP", lossless=True)
    kept = open_image(stored(client, upload(client, project, lossless.getvalue()).json()))
    assert kept.tobytes() == photo.tobytes()


def test_transparency_survives(api, editor, project):
    client = api(editor)
    for mode in ("RGBA", "P"):
        image = Image.new(mode, (20, 20))
        out = io.BytesIO()
        image.save(out, format="PNG", **({"transparency": 0} if mode == "P" else {}))
        kept = open_image(stored(client, upload(client, project, out.getvalue()).json()))
        assert kept.mode == mode and (mode == "RGBA" or kept.info.get("transparency") == 0)


def test_animated_images_are_refused(api, editor, project):
    frames = [Image.new("RGB", (20, 20), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    out = io.BytesIO()
    frames[0].save(out, format="PNG", save_all=True, append_images=frames[1:])
    response = upload(api(editor), project, out.getvalue())
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "unsupported_type" and "Animated" in response.json()["error"]["message"]


def test_a_multi_picture_jpeg_is_stored_as_its_main_picture(api, editor, project):
    """Phones append extra frames after EOI (MPO); the main picture is kept, the rest dropped."""
    main, extra = Image.new("RGB", (60, 40), (250, 0, 0)), Image.new("RGB", (30, 20), (0, 0, 250))
    out = io.BytesIO()
    main.save(out, format="MPO", save_all=True, append_images=[extra])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"

    response = upload(api(editor), project, out.getvalue())

    assert response.status_code == 201, response.json()
    kept = open_image(stored(api(editor), response.json()))
    assert (kept.format, kept.size, getattr(kept, "n_frames", 1)) == ("JPEG", (60, 40), 1)
