"""The issue's campaign end to end: 2 products × 1 scene × 2 formats × source + de + ja with
copy_by_language, the de copy rendered with [fault:typo]. The jobs run through the real SDK against
the emulator, every stored output is announced with `asset_stored` (tests.checks.helpers.announce:
what the engine does once it fires the signal), and the real checks read the pixels. Exactly the de
versions fail copy and spelling; everything else passes; "approve all that pass" approves the rest;
approving a failing one is 409 without a waiver and 201 with one (audit row, assertion in the signed file)."""

import pytest

from apps.approvals.models import ReviewPolicy
from apps.assets.models import Asset
from apps.audit.models import AuditEvent
from tests.campaigns.helpers import campaign_body, library
from tests.checks.helpers import announce, failing, house_kit

pytestmark = pytest.mark.django_db(transaction=True)

COPY = "Discover the new bottle"
COPY_BY_LANGUAGE = {"de": "Entdecke die neue Flasche [fault:typo]", "ja": "新しいボトルを発見"}


def run_stage(api, user, campaign_id, stage) -> None:
    response = api(user).post(f"/api/v1/campaigns/{campaign_id}/run/", {"stage": stage}, format="json")
    assert response.status_code == 201, response.json()
    announce(Asset.objects.filter(generation__campaign_job__cell__campaign_id=campaign_id, generation__campaign_job__stage=stage).values_list("pk", flat=True))


def readings(api, user, asset_ids) -> dict:
    out = {}
    for asset_id in asset_ids:
        response = api(user).get(f"/api/v1/assets/{asset_id}/checks/")
        assert response.status_code == 200, response.json()
        out[asset_id] = response.json()
    return out


def test_the_issue_campaign_with_a_german_typo(api, owner, editor, reviewer, project, upstream, run_tasks_inline):
    house_kit(api, owner, project)
    character, products = library(project, products=2)
    body = campaign_body(character, products, formats=["4:5", "9:16"], languages=["de", "ja"], copy=COPY, copy_by_language=COPY_BY_LANGUAGE, variations=1,
                         draft={"model": "nano-banana-2", "image_size": "1K"})
    created = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    campaign_id = created.json()["id"]

    run_stage(api, editor, campaign_id, "drafts")
    drafts = [str(pk) for pk in Asset.objects.filter(generation__campaign_job__stage="drafts").values_list("pk", flat=True)]
    assert len(drafts) == 4
    for asset_id, reading in readings(api, editor, drafts).items():
        assert reading["status"] == "passed", [(r["check"], r["outcome"], r["message"]) for r in reading["results"]]
    done = api(reviewer).post(f"/api/v1/campaigns/{campaign_id}/approve-passing/", {"stage": "drafts"}, format="json").json()
    assert (done["approved"], done["refused"], done["not_passing"]) == (4, 0, 0)

    run_stage(api, editor, campaign_id, "localise")
    cells = api(editor).get(f"/api/v1/campaigns/{campaign_id}/").json()["cells"]
    versions = {language: [v["asset"] for cell in cells for v in cell["versions"] if v["language"] == language] for language in ("de", "ja")}
    assert len(versions["de"]) == len(versions["ja"]) == 4
    german, japanese = readings(api, editor, versions["de"]), readings(api, editor, versions["ja"])
    assert all(failing(reading) == {"copy", "spelling"} for reading in german.values()), [r["results"] for r in german.values()]
    passing = [asset_id for asset_id, reading in japanese.items() if reading["status"] == "passed"]

    ReviewPolicy.objects.create(project=project, checks_must_pass=True)
    result = api(reviewer).post(f"/api/v1/campaigns/{campaign_id}/approve-passing/", {"stage": "localise"}, format="json").json()
    # Exactly the passing ones: every de version stays, and any ja version whose reading is not "passed".
    assert (result["approved"], result["refused"], result["not_passing"]) == (len(passing), 0, 8 - len(passing))
    assert sorted(result["approved_assets"]) == sorted(passing)

    typo = versions["de"][0]
    refused = api(reviewer).post(f"/api/v1/assets/{typo}/reviews/", {"decision": "approve"}, format="json")
    assert refused.status_code == 409 and sorted(refused.json()["error"]["details"]["checks"]) == ["copy", "spelling"]
    waived = api(reviewer).post(f"/api/v1/assets/{typo}/reviews/", {"decision": "approve", "waiver": "The swap is the brand's pun."}, format="json")
    assert waived.status_code == 201, waived.json()
    assert AuditEvent.objects.get(action="review.checks_waived").after["asset"] == typo
    signed = api(reviewer).get(f"/api/v1/assets/{typo}/credentials/").json()
    assert signed["platform"]["reviews"][-1]["waiver"] == "The swap is the brand's pun."

    # The issue: "everything else passes": every ja version is read as passing.
    assert len(passing) == 4, {asset_id: [(r["check"], r["outcome"], r["message"]) for r in reading["results"] if r["outcome"] != "pass"]
                               for asset_id, reading in japanese.items() if asset_id not in passing}
