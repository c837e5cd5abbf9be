"""Content Credentials: every exported or credentialed download carries its signed history, read
back here with the real C2PA reader."""

import hashlib
import io
import json
import zipfile

import c2pa
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assets.credentials import (
    PLATFORM_ASSERTION,
    SPEC_PREFIX,
    TRAINED_ALGORITHMIC_MEDIA,
)
from apps.assets.models import Asset, Rendition
from tests.factories import stored_asset
from tests.images import image_bytes

pytestmark = pytest.mark.django_db

UNTRUSTED = "signingCredential.untrusted"


def read(data: bytes, mime_type: str = "image/png"):
    """The manifest store as any C2PA reader sees it: (validation state, failure codes, store)."""
    with c2pa.Reader(mime_type, io.BytesIO(data)) as reader:
        failures = [f["code"] for f in (reader.get_validation_results() or {}).get("activeManifest", {}).get("failure", [])]
        return reader.get_validation_state(), failures, json.loads(reader.json())


def active(store: dict) -> dict:
    return store["manifests"][store["active_manifest"]]


def platform(manifest: dict) -> dict:
    return next(a["data"] for a in manifest["assertions"] if a["label"] == PLATFORM_ASSERTION)


def actions(manifest: dict) -> list[dict]:
    return next(a["data"]["actions"] for a in manifest["assertions"] if a["label"] == "c2pa.actions.v2")


def lineage_edges_from(client, asset_id: str) -> set:
    edges = client.get(f"/api/v1/assets/{asset_id}/lineage/").json()["edges"]
    return {(e["to"], e["relation"]) for e in edges if e["from"] == asset_id}


def ingredient_edges(manifest: dict) -> set:
    """The lineage edges the manifest's ingredients stand for."""
    edges = set()
    for ingredient in manifest.get("ingredients", []):
        ours = (ingredient.get("metadata") or {}).get(PLATFORM_ASSERTION)
        if ours:
            edges.add((ours.get("asset") or ours["reference_image"], ours["relation"]))
    return edges


def flip_a_pixel_byte(png: bytes) -> bytes:
    at = png.index(b"IDAT") + 20
    return png[:at] + bytes([png[at] ^ 0xFF]) + png[at + 1:]


@pytest.fixture
def made_chain(api, project, editor, reviewer, upstream, run_tasks_inline):
    """Generate (with a character's reference image) -> edit -> translate, each approved, plus an upload."""
    client = api(editor)
    mia = client.post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mia"}, format="json").json()
    client.post(f"/api/v1/characters/{mia['id']}/images/", {"image": SimpleUploadedFile("m.png", image_bytes())}, format="multipart")
    url = f"/api/v1/projects/{project.id}/generations/"

    def run(**body):
        job = client.post(url, body, format="json")
        assert job.status_code == 201, job.json()
        return client.get(f"/api/v1/generations/{job.json()['id']}/").json()["assets"][0]["id"]

    made = run(prompt="Mia surfing at dawn", characters=[mia["id"]])
    edited = run(kind="edit", prompt="add a wave", source_assets=[made])
    translated = run(kind="translate", prompt="", target_language="fr", source_assets=[edited])
    uploaded = client.post(
        f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("u.png", image_bytes(80, 60))}, format="multipart"
    ).json()["id"]
    ids = [made, edited, translated, uploaded]
    asked = api(reviewer).post(f"/api/v1/assets/{made}/reviews/", {"decision": "request_changes", "comment": "warmer light"}, format="json")
    assert asked.status_code == 201
    for asset_id in ids:
        decided = api(reviewer).post(f"/api/v1/assets/{asset_id}/reviews/", {"decision": "approve", "comment": f"fine {asset_id[:4]}"}, format="json")
        assert decided.status_code == 201
    return ids


def export(client, project) -> dict[str, bytes]:
    response = client.get(f"/api/v1/projects/{project.id}/exports/")
    assert response.status_code == 200, response.content
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    files = {}
    for entry in manifest["assets"]:
        data = archive.read(entry["file"])
        assert entry["content_credentials"] and hashlib.sha256(data).hexdigest() == entry["file_sha256"]
        files[entry["id"]] = data
    return files


def test_every_exported_file_carries_credentials_matching_lineage_and_review_log(api, project, editor, made_chain):
    made, edited, translated, uploaded = made_chain
    client = api(editor)
    files = export(client, project)
    assert set(files) == set(made_chain)

    for asset_id, data in files.items():
        state, failures, store = read(data)
        # Valid apart from trust: the tests' development CA is in no trust list.
        assert state == "Valid" and failures == [UNTRUSTED], (asset_id, failures)
        manifest = active(store)
        assert ingredient_edges(manifest) == lineage_edges_from(client, asset_id)
        reviews = client.get(f"/api/v1/assets/{asset_id}/reviews/").json()
        reviews = reviews.get("results", reviews) if isinstance(reviews, dict) else reviews
        recorded = platform(manifest)["reviews"]
        # By default the decisions only: what, when, under which policy; no names, no comments.
        assert [(r["decision"], r["at"][:19]) for r in recorded] == [(r["decision"], r["created_at"][:19]) for r in reversed(reviews)]
        assert all(set(r) == {"decision", "at", "policy"} for r in recorded)
        assert all(r["policy"]["approvals_required"] == 1 and r["policy"]["four_eyes"] for r in recorded)
        assert platform(manifest)["approvals"] == 1 and platform(manifest)["review_status"] == "approved"
        assert platform(manifest)["project"] == {"id": str(project.id)}
        assert "prompt" not in json.dumps(platform(manifest)["generation"] or {})

    generated = active(read(files[made])[2])
    created = actions(generated)
    assert [a["action"] for a in created] == ["c2pa.created"]
    assert created[0]["digitalSourceType"] == TRAINED_ALGORITHMIC_MEDIA
    job = platform(generated)["generation"]
    assert created[0]["softwareAgent"] == {"name": job["model"], "version": job["model_version"]} and job["model_version"]
    assert [i["relationship"] for i in generated["ingredients"]] == ["inputTo"]  # Mia's reference image

    for child, parent, changed in ((edited, made, "c2pa.edited"), (translated, edited, "c2pa.translated")):
        _, _, store = read(files[child])
        manifest = active(store)
        assert [a["action"] for a in actions(manifest)] == ["c2pa.opened", changed]
        (parent_ingredient,) = [i for i in manifest["ingredients"] if i["relationship"] == "parentOf"]
        nested = store["manifests"][parent_ingredient["active_manifest"]]  # the parent's own manifest, nested
        assert platform(nested)["id"] == parent
    # The whole chain is in the translated file: translate -> edit -> generate.
    assert len(read(files[translated])[2]["manifests"]) == 3

    upload = active(read(files[uploaded])[2])
    assert [a["action"] for a in actions(upload)] == ["c2pa.opened"] and platform(upload)["generation"] is None


def test_prompt_goes_into_the_credentials_only_when_the_project_allows(api, project, owner, editor, made_chain):
    made = made_chain[0]
    before = export(api(editor), project)[made]
    assert "Mia surfing" not in json.dumps(read(before)[2])

    assert api(owner).patch(f"/api/v1/projects/{project.id}/", {"credentials_include_prompt": True}, format="json").status_code == 200
    after = export(api(editor), project)[made]
    assert platform(active(read(after)[2]))["generation"]["prompt"] == "Mia surfing at dawn"


def private_strings(project, editor, reviewer) -> list[str]:
    """What a team keeps to itself: who made and decided, what they said, the project's and the
    library's names (the prompt has its own switch, tested above)."""
    return [f'"{editor.username}"', f'"{reviewer.username}"', project.name, "Mia", "warmer light", "fine ", "too dark for the launch"]


def delivered(api, user, project, made_chain) -> dict[str, str]:
    """Every exported file's whole manifest store (its parents' nested manifests included), as text."""
    return {asset_id: json.dumps(read(data)[2]) for asset_id, data in export(api(user), project).items()}


@pytest.fixture
def with_a_rejected_parent(api, project, reviewer, made_chain):
    """The first output rejected after all, with a comment: its children nest its manifest."""
    project.name = "Project Nightingale"
    project.save()
    rejected = api(reviewer).post(f"/api/v1/assets/{made_chain[0]}/reviews/", {"decision": "reject", "comment": "too dark for the launch"}, format="json")
    assert rejected.status_code == 201
    return made_chain


def test_a_delivered_file_tells_no_names_and_no_review_talk_by_default(api, project, editor, reviewer, with_a_rejected_parent):
    made, edited, translated, _ = with_a_rejected_parent
    stores = delivered(api, editor, project, with_a_rejected_parent)

    for asset_id, text in stores.items():
        for secret in private_strings(project, editor, reviewer):
            assert secret not in text, (asset_id, secret)
    # The translated file nests the whole chain, the rejected first output's decisions included.
    nested = json.loads(stores[translated])["manifests"].values()
    decisions = [[r["decision"] for r in platform(m)["reviews"]] for m in nested if platform(m)["id"] == made]
    assert decisions == [["request_changes", "approve", "reject"]]


def test_an_owner_opts_in_to_names_and_separately_to_comments(api, project, owner, editor, reviewer, with_a_rejected_parent):
    translated = with_a_rejected_parent[2]
    names = [f'"{editor.username}"', f'"{reviewer.username}"', project.name, "Mia"]
    comments = ["warmer light", "fine ", "too dark for the launch"]

    assert api(owner).patch(f"/api/v1/projects/{project.id}/", {"credentials_include_names": True}, format="json").status_code == 200
    text = delivered(api, editor, project, with_a_rejected_parent)[translated]
    assert all(name in text for name in names) and not any(comment in text for comment in comments)

    response = api(owner).patch(f"/api/v1/projects/{project.id}/", {"credentials_include_comments": True}, format="json")
    assert response.status_code == 200 and response.json()["credentials_include_comments"] is True
    text = delivered(api, editor, project, with_a_rejected_parent)[translated]
    assert all(secret in text for secret in names + comments)

    changes = api(owner).get(f"/api/v1/projects/{project.id}/audit/").json()
    changes = changes.get("results", changes) if isinstance(changes, dict) else changes
    opted = [(e["before"], e["after"]) for e in changes if e["action"] == "project.changed"]
    assert ({"credentials_include_comments": False}, {"credentials_include_comments": True}) in opted
    assert ({"credentials_include_names": False}, {"credentials_include_names": True}) in opted


def test_only_an_owner_changes_what_files_disclose(api, project, editor):
    refused = api(editor).patch(f"/api/v1/projects/{project.id}/", {"credentials_include_comments": True}, format="json")
    assert refused.status_code == 403
    project.refresh_from_db()
    assert not project.credentials_include_comments


def test_one_changed_byte_fails_validation(api, project, editor, made_chain):
    for data in export(api(editor), project).values():
        state, failures, _ = read(flip_a_pixel_byte(data))
        assert state == "Invalid" and "assertion.dataHash.mismatch" in failures


def test_stored_original_stays_byte_identical_and_the_credentialed_copy_is_cached(api, project, editor):
    asset = stored_asset(project, user=editor)
    client = api(editor)
    original = b"".join(client.get(f"/api/v1/assets/{asset.id}/file/").streaming_content)
    first = b"".join(client.get(f"/api/v1/assets/{asset.id}/file/?credentials=1").streaming_content)
    again = b"".join(client.get(f"/api/v1/assets/{asset.id}/file/?credentials=true").streaming_content)

    assert hashlib.sha256(original).hexdigest() == asset.sha256 == Asset.objects.get(pk=asset.pk).sha256
    assert first != original and first == again  # made once, then served from the rendition
    state, _, store = read(first)
    assert state == "Valid" and active(store)["thumbnail"]["format"] == "image/webp"  # the platform's own thumbnail
    after = b"".join(client.get(f"/api/v1/assets/{asset.id}/file/").streaming_content)
    assert after == original


def test_a_review_decision_remakes_the_copy_and_drops_the_old_one(api, project, editor, reviewer, private_storage, django_capture_on_commit_callbacks):
    project.credentials_include_comments = True
    project.save()
    asset = stored_asset(project, user=editor)
    client = api(editor)
    before = b"".join(client.get(f"/api/v1/assets/{asset.id}/file/?credentials=1").streaming_content)
    old = Rendition.objects.get(asset=asset, spec__startswith=SPEC_PREFIX)
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "reject", "comment": "off brand"}, format="json")

    with django_capture_on_commit_callbacks(execute=True):
        after = b"".join(client.get(f"/api/v1/assets/{asset.id}/file/?credentials=1").streaming_content)

    new = Rendition.objects.get(asset=asset, spec__startswith=SPEC_PREFIX)
    assert new.spec != old.spec and not (private_storage / old.file.name).exists()
    assert platform(active(read(before)[2]))["reviews"] == []
    assert [(r["decision"], r["comment"]) for r in platform(active(read(after)[2]))["reviews"]] == [("reject", "off brand")]


def test_an_upload_keeps_the_credentials_it_carried_and_shows_them(api, project, editor, c2pa_signer):
    from apps.assets.signing import signer_from, signing_credentials

    camera = c2pa.Builder({
        "claim_generator_info": [{"name": "Field camera app", "version": "2.1"}], "title": "shot.png",
        "assertions": [{"label": "c2pa.actions.v2", "data": {"actions": [
            {"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}
        ]}}],
    })
    signed = io.BytesIO()
    with signer_from(signing_credentials()) as signer:
        camera.sign(signer, "image/png", io.BytesIO(image_bytes(90, 70)), signed)

    response = api(editor).post(f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("shot.png", signed.getvalue())}, format="multipart")
    assert response.status_code == 201
    credentials = api(editor).get(f"/api/v1/assets/{response.json()['id']}/credentials/").json()

    assert credentials["validation"]["verdict"] == "valid"
    assert credentials["validation"]["text"] == "Valid, signed by an untrusted development certificate"
    assert [a["action"] for a in credentials["actions"]] == ["c2pa.opened", "c2pa.transcoded"]
    (uploaded,) = credentials["ingredients"]
    assert uploaded["relationship"] == "parentOf" and uploaded["manifest"]["title"] == "shot.png"
    assert [a["action"] for a in uploaded["manifest"]["actions"]] == ["c2pa.created"]


def test_credentials_json_and_panel_agree(api, client, project, editor, reviewer):
    project.credentials_include_names = True  # the panel shows who decided when the file says so
    project.save()
    asset = stored_asset(project, user=editor)
    api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")
    credentials = api(editor).get(f"/api/v1/assets/{asset.id}/credentials/").json()
    assert credentials["signer"]["common_name"] == "Brand image platform development signer"
    assert credentials["platform"]["reviews"][0]["reviewer"] == reviewer.username

    client.force_login(editor)
    page = client.get(f"/assets/{asset.id}/").content.decode()
    assert f'hx-get="/assets/{asset.id}/credentials/"' in page  # the panel loads after the page
    assert f'href="/api/v1/assets/{asset.id}/file/?credentials=1" download>Download</a>' in page
    panel = client.get(f"/assets/{asset.id}/credentials/").content.decode()
    assert "Content Credentials" in panel and "signed by an untrusted development certificate" in panel
    assert reviewer.username in panel and "c2pa.opened" in panel


def test_outsiders_get_404_and_bad_values_are_named(api, client, project, editor, outsider):
    asset = stored_asset(project, user=editor)
    client.force_login(outsider)
    assert client.get(f"/assets/{asset.id}/credentials/").status_code == 404
    assert api(outsider).get(f"/api/v1/assets/{asset.id}/credentials/").status_code == 404
    assert api(outsider).get(f"/api/v1/assets/{asset.id}/file/?credentials=1").status_code == 404
    refused = api(editor).get(f"/api/v1/assets/{asset.id}/file/?credentials=maybe")
    assert refused.status_code == 400 and "credentials" in json.dumps(refused.json())


def test_no_signing_certificate_is_a_clear_503_and_the_panel_says_why(api, client, project, editor, settings, tmp_path):
    asset = stored_asset(project, user=editor)
    settings.C2PA_DEV_DIR = tmp_path / "nothing-here"
    response = api(editor).get(f"/api/v1/assets/{asset.id}/file/?credentials=1")
    assert response.status_code == 503
    assert "C2PA_SIGNING_CERT" in response.json()["error"]["message"]
    client.force_login(editor)
    panel = client.get(f"/assets/{asset.id}/credentials/")
    assert panel.status_code == 200 and "C2PA_SIGNING_CERT" in panel.content.decode()


def test_an_upstream_result_with_its_own_credentials_keeps_them_as_an_ingredient(api, project, editor, upstream, run_tasks_inline):
    """Google adds Content Credentials to its output on some surfaces (the emulator's `[fault:c2pa]`):
    the stored original keeps them byte for byte, and our manifest nests them."""
    client = api(editor)
    job = client.post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a lighthouse [fault:c2pa]"}, format="json").json()
    asset = client.get(f"/api/v1/generations/{job['id']}/").json()["assets"][0]

    original = b"".join(client.get(f"/api/v1/assets/{asset['id']}/file/").streaming_content)
    assert hashlib.sha256(original).hexdigest() == asset["sha256"]
    assert active(read(original)[2])["claim_generator_info"][0]["name"] == "Gemini API emulator"

    state, failures, store = read(b"".join(client.get(f"/api/v1/assets/{asset['id']}/file/?credentials=1").streaming_content))
    manifest = active(store)
    assert state == "Valid" and failures == [UNTRUSTED]
    assert [a["action"] for a in actions(manifest)] == ["c2pa.created"]
    (kept,) = manifest["ingredients"]
    assert actions(store["manifests"][kept["active_manifest"]])[0]["softwareAgent"]["name"] == platform(manifest)["generation"]["model"]
    shown = client.get(f"/api/v1/assets/{asset['id']}/credentials/").json()["ingredients"][0]
    assert shown["manifest"]["signer"]["common_name"] and shown["manifest"]["actions"][0]["action"] == "c2pa.created"


def test_other_apps_add_fields_to_the_platform_assertion(api, project, editor, monkeypatch):
    from apps.assets import provenance

    monkeypatch.setitem(provenance.EXTRA_FIELDS, "campaign", lambda asset: {"cell": "bottle x beach x 9:16 x fr"})
    asset = stored_asset(project, user=editor)
    summary = api(editor).get(f"/api/v1/assets/{asset.id}/credentials/").json()
    assert summary["platform"]["campaign"] == {"cell": "bottle x beach x 9:16 x fr"}


def test_a_signer_under_a_trusted_root_reads_as_trusted(api, project, editor, settings, c2pa_signer):
    asset = stored_asset(project, user=editor)
    settings.C2PA_TRUST_ANCHORS = str(c2pa_signer / "ca.pem")  # as an operator trusting their CA's root
    validation = api(editor).get(f"/api/v1/assets/{asset.id}/credentials/").json()["validation"]
    assert validation["verdict"] == "trusted" and validation["state"] == "Trusted" and validation["failures"] == []


def test_a_missing_stored_file_is_a_503_not_a_500(api, project, editor):
    from apps.generations.models import Generation

    job = Generation.objects.create(project=project, model="gemini-3-pro-image-preview", aspect_ratio="1:1", image_size="1K", status="succeeded")
    asset = Asset.objects.create(
        project=project, generation=job, file="gone/0.png", mime_type="image/png", width=1, height=1, size_bytes=1, sha256="0" * 64
    )
    response = api(editor).get(f"/api/v1/assets/{asset.id}/credentials/")
    assert response.status_code == 503 and response.json()["error"]["code"] == "credentials_unavailable"


def test_a_region_edit_records_its_region_of_interest(api, project, editor, upstream, run_tasks_inline):
    source = stored_asset(project, user=editor, width=400, height=300)
    made = api(editor).post(
        f"/api/v1/assets/{source.id}/region-edit/", {"prompt": "a red cap", "region": {"x": 0.25, "y": 0.5, "w": 0.5, "h": 0.25}}, format="json",
    ).json()
    job = api(editor).get(f"/api/v1/generations/{made['id']}/").json()
    data = b"".join(api(editor).get(f"/api/v1/assets/{job['assets'][0]['id']}/file/?credentials=1").streaming_content)
    state, _, store = read(data)
    assert state in ("Valid", "Trusted")
    edited = next(a for a in actions(active(store)) if a["action"] == "c2pa.edited")
    [change] = edited["changes"]
    shape = change["region"][0]["shape"]
    assert (shape["origin"], shape["width"], shape["height"]) == ({"x": 100, "y": 150}, 200, 75)
    assert {"id": str(source.id), "relation": "region_edit_of"} in platform(active(store))["parents"]


def test_the_panel_names_ingredients_by_title_not_file_uuid(client, project, editor):
    """Issue 28 item 16: the signed file names a parent "<uuid>.png"; the panel shows its title, linked."""
    parent = stored_asset(project, user=editor)
    parent.title = "Trail One hero"
    parent.save()
    child = stored_asset(project, user=editor, parents=[(parent, "edited_from")])
    client.force_login(editor)
    panel = client.get(f"/assets/{child.id}/credentials/").content.decode()
    assert f'<a href="/assets/{parent.id}/">Trail One hero</a>' in panel and "(made from" in panel
    assert f"{parent.id}.png" not in panel and "parentOf" not in panel
