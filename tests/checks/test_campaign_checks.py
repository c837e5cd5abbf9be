"""The issue's campaign (2 products × 1 scene × 2 formats × source + de + ja, copy_by_language, the
de copy with a typo marker) at unit level: the jobs run for real (SDK → emulator), the brand check
readings are written by a factory as the checks worker would (the de versions fail copy and
spelling). The end-to-end twin, with the real checks, is tests/integration/test_campaign_checks_end_to_end.py."""

import pytest

from apps.approvals.models import Review, ReviewPolicy
from apps.assets.models import Asset
from apps.audit.models import AuditEvent
from tests.campaigns.helpers import campaign_body, library
from tests.factories import asset_check

pytestmark = pytest.mark.django_db

COPY = {"de": "Jetzt kaufen [fault:typo]", "ja": "今すぐ購入"}


def run(api, user, campaign_id, stage):
    response = api(user).post(f"/api/v1/campaigns/{campaign_id}/run/", {"stage": stage}, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()


def approve_passing(api, user, campaign_id, stage):
    return api(user).post(f"/api/v1/campaigns/{campaign_id}/approve-passing/", {"stage": stage}, format="json")


def versions(api, user, campaign_id) -> dict:
    cells = api(user).get(f"/api/v1/campaigns/{campaign_id}/").json()["cells"]
    return {(cell["id"], v["language"]): v["asset"] for cell in cells for v in cell["versions"]}


def test_campaign_approve_all_that_pass_and_the_failing_grid(api, client, project, owner, reviewer, editor, upstream, run_tasks_inline):
    character, products = library(project, products=2)
    body = campaign_body(character, products, formats=["4:5", "9:16"], languages=["de", "ja"], copy="Shop now", copy_by_language=COPY, variations=1)
    created = api(owner).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    campaign_id = created.json()["id"]
    assert run(api, owner, campaign_id, "drafts")["jobs_created"] == 4
    drafts = list(Asset.objects.filter(generation__campaign_job__stage="drafts"))
    for draft in drafts:
        asset_check(draft)

    # Four-eyes still applies: the owner ran the drafts, so each approval is refused, reported and counted.
    own = approve_passing(api, owner, campaign_id, "drafts").json()
    assert (own["approved"], own["refused"], own["not_passing"]) == (0, 4, 0)
    assert all("Four-eyes" in refusal["message"] for refusal in own["refusals"])
    assert approve_passing(api, editor, campaign_id, "drafts").status_code == 403  # editors do not decide
    done = approve_passing(api, reviewer, campaign_id, "drafts").json()
    assert (done["approved"], done["refused"], done["not_passing"]) == (4, 0, 0)

    assert run(api, owner, campaign_id, "localise")["jobs_created"] == 8
    made = versions(api, owner, campaign_id)
    german = [asset for (_, language), asset in made.items() if language == "de"]
    japanese = [asset for (_, language), asset in made.items() if language == "ja"]
    assert len(german) == len(japanese) == 4
    for asset in Asset.objects.filter(pk__in=german):
        asset_check(asset, failed=("copy", "spelling"))
    for asset in Asset.objects.filter(pk__in=japanese):
        asset_check(asset)
    ReviewPolicy.objects.create(project=project, checks_must_pass=True)

    # Only failing versions on the grid.
    client.force_login(reviewer)
    grid = client.get(f"/campaigns/{campaign_id}/", {"checks": "failed"}).content.decode()
    assert grid.count('data-checks="failed"') == 4 and grid.count("ctile empty filtered") == 8
    assert all(asset_id in grid for asset_id in german) and not any(asset_id in grid for asset_id in japanese)
    assert 'id="approve-passing-localise"' in grid

    result = approve_passing(api, reviewer, campaign_id, "localise").json()
    assert (result["approved"], result["refused"], result["not_passing"]) == (4, 0, 4)
    assert sorted(result["approved_assets"]) == sorted(japanese)
    assert sorted(row["asset"] for row in result["not_passing_assets"]) == sorted(german)

    refused = api(reviewer).post(f"/api/v1/assets/{german[0]}/reviews/", {"decision": "approve"}, format="json")
    assert refused.status_code == 409 and refused.json()["error"]["details"]["checks"] == ["copy", "spelling"]
    waived = api(reviewer).post(f"/api/v1/assets/{german[0]}/reviews/", {"decision": "approve", "waiver": "Typo fixed in print."}, format="json")
    assert waived.status_code == 201 and AuditEvent.objects.filter(action="review.checks_waived").count() == 1
    signed = api(reviewer).get(f"/api/v1/assets/{german[0]}/credentials/").json()
    assert signed["platform"]["reviews"][-1]["waiver"] == "Typo fixed in print."

    # The page's button does the same for a stage, saying what it did.
    response = client.post(f"/campaigns/{campaign_id}/approve-passing/", {"stage": "localise"}, follow=True)
    assert "Localise: Approved 0 assets whose checks passed; 3 not passing left for review." in response.content.decode()
    assert Review.objects.filter(decision="approve").count() == 4 + 4 + 1


def test_campaign_page_button_is_for_deciders_and_hidden_from_outsiders(client, project, editor, reviewer, outsider):
    from apps.campaigns.models import Campaign

    campaign = Campaign.objects.create(project=project, name="Quiet", scenes=["a park"], formats=["1:1"], draft_model="nano-banana-2",
                                       draft_size="512", final_model="nano-banana-2", final_size="1K", created_by=editor)
    url = f"/campaigns/{campaign.pk}/approve-passing/"
    client.force_login(outsider)
    assert client.post(url, {"stage": "drafts"}).status_code == 404
    client.force_login(editor)
    assert client.post(url, {"stage": "drafts"}).status_code == 403
    client.force_login(reviewer)
    assert client.post(url, {"stage": "nonsense"}).status_code == 404
    assert client.post(url, {"stage": "drafts"}).status_code == 302
