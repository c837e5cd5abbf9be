import hashlib
import io
import json
import zipfile

import pytest

from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


def test_export_manifest_matches_the_zipped_files_byte_for_byte(api, project, editor, reviewer, upstream, run_tasks_inline):
    mia = api(editor).post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mia"}, format="json").json()
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.images import image_bytes

    api(editor).post(f"/api/v1/characters/{mia['id']}/images/", {"image": SimpleUploadedFile("m.png", image_bytes())}, format="multipart")
    job = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "Mia surfing", "characters": [mia["id"]]}, format="json").json()
    made = api(editor).get(f"/api/v1/generations/{job['id']}/").json()["assets"][0]["id"]
    edit = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"kind": "edit", "prompt": "add a wave", "source_assets": [made]}, format="json").json()
    edited = api(editor).get(f"/api/v1/generations/{edit['id']}/").json()["assets"][0]["id"]
    pending = stored_asset(project)
    for asset_id in (made, edited):
        api(reviewer).post(f"/api/v1/assets/{asset_id}/reviews/", {"decision": "approve", "comment": "on brand"}, format="json")

    response = api(editor).get(f"/api/v1/projects/{project.id}/exports/")

    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert [a["id"] for a in manifest["assets"]] == [made, edited]
    assert str(pending.id) not in json.dumps(manifest)
    for entry in manifest["assets"]:
        data = archive.read(entry["file"])
        # The zip holds the credentialed copy; the entry also records the stored original's hash.
        assert hashlib.sha256(data).hexdigest() == entry["file_sha256"] and len(data) == entry["file_size_bytes"]
        assert entry["sha256"] == api(editor).get(f"/api/v1/assets/{entry['id']}/").json()["sha256"]
        assert entry["reviews"][0]["decision"] == "approve" and entry["reviews"][0]["reviewer"] == reviewer.username
    first, second = manifest["assets"]
    assert first["generation"]["prompt"] == "Mia surfing" and first["generation"]["references"][0]["entry"] == "Mia"
    assert first["generation"]["model_version"] and first["generation"]["settings"]["aspect_ratio"] == "1:1"
    assert second["parents"] == [{"id": made, "relation": "edited_from"}]


def test_outsiders_cannot_export(api, project, outsider):
    assert api(outsider).get(f"/api/v1/projects/{project.id}/exports/").status_code == 404
