import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.library.models import ReferenceImage
from tests.images import image_bytes, open_image

pytestmark = pytest.mark.django_db


def add_image(client, entry_url, data, name="ref.png"):
    return client.post(f"{entry_url}images/", {"image": SimpleUploadedFile(name, data)}, format="multipart")


@pytest.fixture
def character(api, editor, project):
    response = api(editor).post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mia", "description": "red-haired courier"}, format="json")
    assert response.status_code == 201
    return response.json()


def test_character_with_reference_images(api, editor, project, character):
    client = api(editor)
    url = f"/api/v1/characters/{character['id']}/"
    first = add_image(client, url, image_bytes(300, 200, fmt="JPEG"), name="mia.gif")
    assert first.status_code == 201, first.json()
    assert first.json()["mime_type"] == "image/jpeg" and len(first.json()["sha256"]) == 64

    entry = client.get(url).json()
    assert [i["id"] for i in entry["images"]] == [first.json()["id"]]
    assert entry["image_limit"] == 4
    thumb = client.get(entry["images"][0]["thumbnail_url"])
    assert thumb.status_code == 200 and max(open_image(b"".join(thumb.streaming_content)).size) <= 384
    assert client.get(f"/api/v1/projects/{project.id}/characters/").json()[0]["name"] == "Mia"
    assert client.get(f"/api/v1/projects/{project.id}/objects/").json() == []


def test_the_fifth_character_image_is_a_400_naming_the_limit(api, editor, character):
    client = api(editor)
    url = f"/api/v1/characters/{character['id']}/"
    for i in range(4):
        assert add_image(client, url, image_bytes(50, 50, colour=(i, 0, 0))).status_code == 201
    response = add_image(client, url, image_bytes(50, 50))
    assert response.status_code == 400
    assert "at most 4" in response.json()["error"]["message"] and response.json()["error"]["details"]["limit"] == 4


def test_objects_hold_ten(api, editor, project):
    client = api(editor)
    product = client.post(f"/api/v1/projects/{project.id}/objects/", {"name": "Bottle"}, format="json").json()
    url = f"/api/v1/objects/{product['id']}/"
    for i in range(10):
        assert add_image(client, url, image_bytes(20, 20, colour=(0, i, 0))).status_code == 201
    assert add_image(client, url, image_bytes(20, 20)).json()["error"]["details"]["limit"] == 10


@pytest.mark.parametrize(
    ("data", "code"),
    [(b"just text", "unsupported_type"), (image_bytes(200, 200)[:150], "corrupt"), (image_bytes(20000, 20000, mode="1"), "too_many_pixels")],
)
def test_bad_reference_uploads_are_clear_400s(api, editor, character, data, code):
    response = add_image(api(editor), f"/api/v1/characters/{character['id']}/", data)
    assert response.status_code == 400 and response.json()["error"]["code"] == code
    assert not ReferenceImage.objects.exists()


def test_removing_an_image_archives_it(api, editor, character):
    client = api(editor)
    url = f"/api/v1/characters/{character['id']}/"
    image = add_image(client, url, image_bytes()).json()
    assert client.delete(f"{url}images/{image['id']}/").status_code == 204
    assert client.get(url).json()["images"] == []
    assert ReferenceImage.objects.get(pk=image["id"]).archived_at is not None
    # The bytes stay reachable for lineage.
    assert client.get(image["file_url"]).status_code == 200


def test_names_are_unique_per_kind_and_fields_strict(api, editor, project, character):
    client = api(editor)
    url = f"/api/v1/projects/{project.id}/characters/"
    assert client.post(url, {"name": "Mia"}, format="json").status_code == 409
    assert client.post(f"/api/v1/projects/{project.id}/objects/", {"name": "Mia"}, format="json").status_code == 201
    assert client.post(url, {"nom": "Zed"}, format="json").json()["error"]["field"] == "nom"


def test_viewer_reads_but_cannot_change_the_library(api, viewer, project, character):
    client = api(viewer)
    assert client.get(f"/api/v1/characters/{character['id']}/").status_code == 200
    assert client.patch(f"/api/v1/characters/{character['id']}/", {"name": "X"}, format="json").status_code == 403
    assert add_image(client, f"/api/v1/characters/{character['id']}/", image_bytes()).status_code == 403
    assert client.post(f"/api/v1/projects/{project.id}/characters/", {"name": "New"}, format="json").status_code == 403


def test_outsider_sees_nothing(api, outsider, character):
    client = api(outsider)
    assert client.get(f"/api/v1/characters/{character['id']}/").status_code == 404
    assert client.get(f"/api/v1/objects/{character['id']}/").status_code == 404
    assert client.get(f"/api/v1/projects/{character['project']}/characters/").status_code == 404
