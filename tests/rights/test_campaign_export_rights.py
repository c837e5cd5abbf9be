"""Issue 31 through a real campaign (the emulator, the real job engine): when the release of the
character used in every draft ends, its finals are left out of the campaign export and listed."""

import io
import json
import zipfile

import pytest

from apps.rights import services
from tests.campaigns.helpers import campaign_body, library
from tests.campaigns.test_campaigns import create, decide, detail, run
from tests.rights.conftest import right_on, yesterday

pytestmark = pytest.mark.django_db


def test_the_campaign_export_leaves_out_finals_whose_release_ended(api, editor, reviewer, project, upstream, run_tasks_inline):
    character, products = library(project, products=1)
    campaign_id = create(api, editor, project, campaign_body(character, products, variations=1)).json()["id"]
    run(api, editor, campaign_id, "drafts")
    cell = detail(api, editor, campaign_id)["cells"][0]
    decide(api, reviewer, cell["drafts"][0])
    run(api, editor, campaign_id, "localise")
    for version in detail(api, editor, campaign_id)["cells"][0]["versions"]:
        if version["language"] != "source":
            decide(api, reviewer, version["asset"])
    run(api, editor, campaign_id, "finalise")
    finals = [v["final"] for v in detail(api, editor, campaign_id)["cells"][0]["versions"] if v["final"]]
    for final in finals:
        decide(api, reviewer, final)
    assert len(finals) == 2

    def export():
        response = api(editor).get(f"/api/v1/campaigns/{campaign_id}/export/")
        assert response.status_code == 200
        return json.loads(zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))).read("manifest.json"))

    assert sorted(entry["id"] for entry in export()["assets"]) == sorted(finals) and export()["left_out"] == []
    right_on(character.images.get(), holder="Mia Runner", ends_on=yesterday())
    services.rights_nightly()

    manifest = export()
    assert manifest["assets"] == []
    assert sorted(item["asset"] for item in manifest["left_out"]) == sorted(finals)
    assert all(item["code"] == "rights_expired" and item["details"]["holder"] == "Mia Runner" for item in manifest["left_out"])
    assert all(api(editor).get(f"/api/v1/assets/{final}/file/").status_code == 409 for final in finals)
