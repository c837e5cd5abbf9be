"""Campaign pages through Django's test client: the form and its summary, the grid and its
decisions, the choice among variations, the project home."""

import pytest

from apps.approvals.models import Review
from apps.campaigns.models import Campaign
from tests.campaigns.helpers import campaign_body, library

pytestmark = pytest.mark.django_db


def form_data(character, products, **overrides):
    return {
        "name": "Spring run", "products": [str(p.pk) for p in products], "characters": [str(character.pk)],
        "scenes": "morning run in a city park\nsunset trail", "formats": ["4:5", "9:16"], "languages": ["de"],
        "copy": "Run brighter", "copy_de": "Heller laufen", "variations": "2", "draft_model": "nano-banana-2",
        "draft_size": "512", "final_model": "nano-banana-2", "final_size": "4K",
    } | overrides


def test_new_campaign_form_creates_the_campaign_with_per_language_copy(client, editor, project):
    character, products = library(project, products=2)
    client.force_login(editor)
    page = client.get(f"/projects/{project.pk}/campaigns/new/")
    assert page.status_code == 200 and b"Trail shoe 1" in page.content and b'data-ratio="9:16"' in page.content

    response = client.post(f"/projects/{project.pk}/campaigns/new/", form_data(character, products))

    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/campaigns/{campaign.pk}/"
    assert campaign.scenes == ["morning run in a city park", "sunset trail"] and campaign.copy_by_language == {"de": "Heller laufen"}
    assert campaign.cells.count() == 8
    assert campaign.logo_required is None  # as the brand kit says


def test_the_form_can_require_the_logo_in_every_image_of_the_campaign(client, editor, project):
    character, products = library(project)
    client.force_login(editor)
    assert b"As the brand kit says" in client.get(f"/projects/{project.pk}/campaigns/new/").content

    client.post(f"/projects/{project.pk}/campaigns/new/", form_data(character, products, logo_required="true"))

    assert Campaign.objects.get().logo_required is True


def test_a_rule_refusal_lands_next_to_its_field(client, editor, project):
    character, products = library(project)
    client.force_login(editor)
    response = client.post(f"/projects/{project.pk}/campaigns/new/", form_data(character, products, final_model="nano-banana-pro", formats=["8:1"]))
    assert response.status_code == 400
    assert "does not support aspect ratio" in response.context["form"].errors["formats"][0]
    assert not Campaign.objects.exists()


def test_summary_counts_and_prices_each_stage(client, editor, project):
    character, products = library(project, products=3)
    client.force_login(editor)
    response = client.post(f"/projects/{project.pk}/campaigns/summary/", form_data(character, products, languages=["de", "fr"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="summary-cells">12<' in html and 'id="summary-drafts">24<' in html
    assert 'id="summary-localise">24<' in html and 'id="summary-finalise">36<' in html


def test_viewers_get_no_new_campaign_form(client, viewer, project):
    client.force_login(viewer)
    assert client.get(f"/projects/{project.pk}/campaigns/new/").status_code == 403


def test_grid_run_decide_and_choose_on_the_pages(client, api, editor, reviewer, project, upstream, run_tasks_inline):
    character, products = library(project)
    campaign_id = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json").json()["id"]
    client.force_login(editor)
    page = client.get(f"/campaigns/{campaign_id}/")
    assert page.status_code == 200 and b"Run drafts: 1 job" in page.content

    assert client.post(f"/campaigns/{campaign_id}/run/", {"stage": "drafts"}).status_code == 302
    board = client.get(f"/campaigns/{campaign_id}/?part=board").content.decode()
    assert board.count('class="ctile') == 2 and "to choose from" in board

    # The editor may not approve (four-eyes, and not a decider): the board answers with the reason.
    drafts = Campaign.objects.get().cells.get().jobs.get().generation.assets.order_by("output_index")
    refused = client.post(f"/campaigns/{campaign_id}/decide/", {"asset": drafts[0].pk, "decision": "approve"})
    assert refused.status_code == 400 and "may not decide" in refused.content.decode()

    client.force_login(reviewer)
    cell = Campaign.objects.get().cells.get()
    chosen = client.post(f"/campaigns/{campaign_id}/cells/{cell.pk}/", {"asset": drafts[1].pk})
    assert chosen.status_code == 302
    cell.refresh_from_db()
    assert cell.chosen_id == drafts[1].pk
    # Choosing is approving (one action); the sibling leaves the review queue as "not chosen".
    assert [(r.asset_id, r.decision) for r in Review.objects.all()] == [(drafts[1].pk, "approve")]
    assert [d.review_status for d in drafts.all()] == ["not_chosen", "approved"]
    queue = client.get(f"/projects/{project.pk}/review/").content.decode()
    assert str(drafts[0].pk) not in queue
    decided = client.post(f"/campaigns/{campaign_id}/decide/", {"asset": drafts[1].pk, "decision": "reject", "comment": ""})
    assert decided.status_code == 400 and Review.objects.count() == 1  # a rejection needs a comment
    decided = client.post(f"/campaigns/{campaign_id}/decide/", {"asset": drafts[1].pk, "decision": "request_changes", "comment": "Brighter"})
    assert decided.status_code == 200 and Review.objects.latest("created_at").decision == "request_changes"

    home = client.get(f"/projects/{project.pk}/")
    assert b"Spring run" in home.content and b"0 of 2 finals" in home.content


def test_outsiders_get_404_on_campaign_pages(client, api, editor, outsider, project):
    character, products = library(project)
    campaign_id = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json").json()["id"]
    cell = Campaign.objects.get().cells.get()
    client.force_login(outsider)
    assert client.get(f"/campaigns/{campaign_id}/").status_code == 404
    assert client.get(f"/campaigns/{campaign_id}/cells/{cell.pk}/").status_code == 404
    assert client.post(f"/campaigns/{campaign_id}/run/", {"stage": "drafts"}).status_code == 404
    assert client.get(f"/projects/{project.pk}/campaigns/new/").status_code == 404


@pytest.mark.parametrize("drafts", [2, 6])
def test_the_board_refresh_reads_the_same_few_queries_whatever_the_stages_and_cells(client, project, editor, owner, drafts):
    """While jobs or checks run the board redraws itself every 2 s for everyone watching: each
    stage's assign panel shares one read of the assignments, the time zone and the deciders."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.assets.models import Asset
    from apps.workflow.models import Assignment
    from tests.factories import asset_check
    from tests.workflow.helpers import campaign_with_drafts

    campaign = campaign_with_drafts(project, editor, drafts=drafts)
    asset_check(Asset.objects.filter(generation__campaign_job__cell__campaign=campaign).first(), checking=True)
    Assignment.objects.create(project=project, campaign=campaign, stage="drafts", created_by=owner).assignees.add(editor)
    client.force_login(owner)
    client.get(f"/campaigns/{campaign.pk}/?part=board")

    with CaptureQueriesContext(connection) as queries:
        board = client.get(f"/campaigns/{campaign.pk}/?part=board")

    assert board.status_code == 200 and b'hx-trigger="every 2s"' in board.content
    assert board.content.count(b'class="assign-panel"') == 3 and b"Assigned to <strong>" in board.content
    assert len(queries) <= 20, "\n".join(q["sql"][:120] for q in queries.captured_queries)
