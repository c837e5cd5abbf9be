"""The 36-final campaign over REST alone: web API -> broker -> real worker -> real SDK -> emulator.

3 products x 2 scenes x 2 formats = 12 cells; each cell's chosen draft is the source version plus
a German and a French translation: 36 versions, finalised at 4K.
"""

import hashlib
import io
import json
import zipfile

import pytest

from apps.gemini import catalogue
from apps.webhooks.models import WebhookEndpoint
from tests.images import image_bytes
from tests.waiting import wait_for
from tests.webhooks.receiver import Receiver

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def wait_for_stage(receiver: Receiver, stage: str, count: int, timeout: float = 240.0) -> dict:
    """Block until the `count`-th `campaign.stage_finished` for `stage` has been delivered."""
    def finished():
        events = [json.loads(r["body"]) for r in receiver.received]
        done = [e["data"] for e in events if e["type"] == "campaign.stage_finished" and e["data"]["stage"] == stage]
        return len(done) >= count and done[count - 1]

    return wait_for(finished, timeout, interval=0.2, what=f"stage {stage} finished {count} time(s)")


def library_entry(rest, project_id, kind, name, description, colour):
    entry = rest.post(f"/api/v1/projects/{project_id}/{kind}/", {"name": name, "description": description}).json()
    upload = rest.session.post(
        f"{rest.base_url}/api/v1/{kind}/{entry['id']}/images/",
        files={"image": ("ref.png", image_bytes(256, 256, colour=colour), "image/png")}, timeout=30,
    )
    assert upload.status_code == 201, upload.text
    return entry["id"]


def test_a_36_final_campaign_over_rest(rest, rest_as, worker, upstream):
    receiver = Receiver()
    project = rest.post("/api/v1/projects/", {"name": "Trail Co", "brief": "Bright, optimistic, teal and white."}).json()
    WebhookEndpoint.objects.create(project_id=project["id"], url=receiver.url, events=["campaign.stage_finished"])
    reviewer = rest_as(project["id"], "reviewer")
    character = library_entry(rest, project["id"], "characters", "Mia", "a runner with red hair", (200, 40, 40))
    products = [
        library_entry(rest, project["id"], "objects", name, "a running shoe", colour)
        for name, colour in (("Trail One", (20, 160, 160)), ("Road Two", (20, 60, 200)), ("Track Three", (200, 200, 20)))
    ]
    created = rest.post(f"/api/v1/projects/{project['id']}/campaigns/", {
        "name": "Spring run", "products": products, "characters": [character],
        "scenes": ["morning run in a city park", "sunset trail in the hills"], "formats": ["4:5", "9:16"],
        "languages": ["de", "fr"], "copy": "Run brighter", "copy_by_language": {"fr": "Courez plus clair"}, "variations": 2,
    })
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert len(campaign["cells"]) == 12 and campaign["stages"]["finalise"]["jobs"] == 36
    url = f"/api/v1/campaigns/{campaign['id']}"

    assert rest.post(f"{url}/run/", {"stage": "drafts"}).json()["jobs_created"] == 12
    assert wait_for_stage(receiver, "drafts", 1)["statuses"] == {"succeeded": 12}
    cells = rest.get(f"{url}/").json()["cells"]
    assert all(len(cell["drafts"]) == 2 for cell in cells)
    # The reviewer picks one cell's second variation and approves the first variation of the rest.
    assert reviewer.post(f"{url}/cells/{cells[0]['id']}/choose/", {"asset": cells[0]["drafts"][1]}).status_code == 200

    def approve(asset, decision="approve"):
        comment = "" if decision == "approve" else "wrong shoe"
        return reviewer.post(f"/api/v1/assets/{asset}/reviews/", {"decision": decision, "comment": comment})

    for cell in cells:
        assert approve(cell["drafts"][1] if cell is cells[0] else cell["drafts"][0]).status_code == 201

    assert rest.post(f"{url}/run/", {"stage": "localise"}).json()["jobs_created"] == 24
    wait_for_stage(receiver, "localise", 1)
    cells = rest.get(f"{url}/").json()["cells"]
    assert cells[0]["chosen"] == cells[0]["drafts"][1]
    rejected = next(v for v in cells[5]["versions"] if v["language"] == "fr")
    for cell in cells:
        for version in cell["versions"]:
            if version["language"] != "source":
                assert approve(version["asset"], "reject" if version is rejected else "approve").status_code == 201

    dry = rest.post(f"{url}/run/", {"stage": "finalise", "dry_run": True}).json()
    assert dry["jobs_created"] == 0 and dry["jobs_planned"] == 35
    assert rest.post(f"{url}/run/", {"stage": "finalise"}).json()["jobs_created"] == 35  # not the rejected version
    wait_for_stage(receiver, "finalise", 1)
    cells = rest.get(f"{url}/").json()["cells"]
    assert next(v for v in cells[5]["versions"] if v["language"] == "fr")["final"] is None
    # The rejected translation is made again, approved, finalised: 36 finals.
    assert rest.post(f"{url}/run/", {"stage": "localise"}).json()["jobs_created"] == 1
    wait_for_stage(receiver, "localise", 2)
    redo = next(v for v in rest.get(f"{url}/").json()["cells"][5]["versions"] if v["language"] == "fr")
    assert redo["asset"] != rejected["asset"] and approve(redo["asset"]).status_code == 201
    assert rest.post(f"{url}/run/", {"stage": "finalise"}).json()["jobs_created"] == 1
    wait_for_stage(receiver, "finalise", 2)
    for stage in ("drafts", "localise", "finalise"):
        assert rest.post(f"{url}/run/", {"stage": stage}).json()["jobs_created"] == 0  # a finished stage creates nothing

    detail = rest.get(f"{url}/").json()
    finals = [(cell, version) for cell in detail["cells"] for version in cell["versions"]]
    assert len(finals) == 36 and all(version["final"] for _, version in finals)
    for cell, version in finals:
        asset = rest.get(f"/api/v1/assets/{version['final']}/").json()
        assert (asset["width"], asset["height"]) == catalogue.pixel_size(cell["format"], "4K")
        assert asset["campaign"] == {**asset["campaign"], "campaign": campaign["id"], "cell": cell["id"], "language": version["language"]}
        assert approve(version["final"]).status_code == 201
    # Upstream calls: exactly the drafts, the translations and the finals.
    calls = [call for call in upstream.state.log if call["status"] == 200]
    assert len(upstream.state.log) == len(calls) == 12 * 2 + 24 + 1 + 36
    french = [call for call in calls if "French" in " ".join(call["texts"])]
    assert len(french) == 13 and all("Courez plus clair" in " ".join(call["texts"]) for call in french)
    stages = rest.get(f"{url}/").json()["stages"]
    assert stages["finalise"]["succeeded"] == 36 and stages["finalise"]["approved"] == 36

    export = rest.session.get(f"{rest.base_url}{url}/export/", timeout=600)  # signs 36 4K files with Content Credentials
    assert export.status_code == 200 and export.headers["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(export.content))
    manifest = json.loads(archive.read("manifest.json"))
    assert len(manifest["assets"]) == 36
    assert {entry["file"] for entry in manifest["assets"]} == set(archive.namelist()) - {"manifest.json"}
    assert "fr/9x16/track-three-2.png" in archive.namelist()
    for entry in manifest["assets"]:
        assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["file_sha256"] and entry["content_credentials"]
        assert entry["campaign"]["language"] == entry["file"].split("/")[0]
    receiver.shutdown()
