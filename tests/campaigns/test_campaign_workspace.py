"""The campaign page as a workspace (issue 28): whose turn it is, unchosen drafts out of the
queue, decide controls only for who may decide, titles that say where an image sits, and the
campaign filter on the gallery and the review queue. Through Django's test client, jobs inline."""

import re

import pytest

from apps.assets.models import Asset, ReviewStatus
from apps.campaigns.models import Campaign
from tests.campaigns.helpers import campaign_body, library

pytestmark = pytest.mark.django_db


def made_campaign(api, editor, project, entries=None, **overrides):
    character, products = entries or library(project)
    body = campaign_body(character, products, **overrides)
    return api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json").json()["id"]


def banner(page) -> str:
    html = page.content.decode()
    text = re.search(r'<div class="next-step[^"]*" id="next-step">(.*?)</div>', html, re.S).group(1)
    return " ".join(re.sub(r"<[^>]+>", " ", text).split())


def drafts_of(campaign_id):
    cell = Campaign.objects.get(pk=campaign_id).cells.get()
    return cell, list(Asset.objects.filter(generation__campaign_job__cell=cell).order_by("output_index"))


def test_each_role_reads_its_next_step_and_the_zip_waits_for_approvals(client, api, editor, reviewer, project, upstream, run_tasks_inline):
    campaign_id = made_campaign(api, editor, project)
    client.force_login(editor)
    page = client.get(f"/campaigns/{campaign_id}/")
    assert banner(page).startswith("Your next step: Drafts are ready to run (1 job, $")
    assert re.search(rb'<button type="button" class="secondary" id="export" disabled>Download approved finals \(zip\) \xc2\xb7 0 of 2 approved', page.content)
    assert b'class="stepper"' in page.content and b'class="stage' not in page.content  # not the asset-image box's class

    client.post(f"/campaigns/{campaign_id}/run/", {"stage": "drafts"})
    page = client.get(f"/campaigns/{campaign_id}/")
    assert "Drafts: 1 job done." in banner(page)  # the run's note turned to done (no "created" left behind)
    assert "1 draft waits for a reviewer" in banner(page) and "Your next step" not in banner(page)

    client.force_login(reviewer)
    page = client.get(f"/campaigns/{campaign_id}/")
    assert banner(page).startswith("Your next step: 1 draft waits for your review")
    assert b'id="grid-decision"' in page.content and b'class="tap-decide"' in page.content

    cell, drafts = drafts_of(campaign_id)
    client.post(f"/campaigns/{campaign_id}/cells/{cell.pk}/", {"asset": drafts[0].pk})
    page = client.get(f"/campaigns/{campaign_id}/")
    assert "Localise is ready to run (1 job, $" in banner(page) and "waiting for an editor" in banner(page)

    client.force_login(editor)
    client.post(f"/campaigns/{campaign_id}/run/", {"stage": "localise"})
    page = client.get(f"/campaigns/{campaign_id}/")
    # Finalise can run for the approved source version only; its button says what still waits.
    assert "1 translation waits for a reviewer before finalise" in banner(page) or "Finalise is ready to run (1 job" in banner(page)
    assert re.search(rb"Run finalise: 1 job .*?1 of 2 ready \xc2\xb7 1 waiting for review", page.content, re.S)


def test_choosing_a_draft_approves_it_and_its_siblings_leave_the_queue(client, api, editor, reviewer, project, upstream, run_tasks_inline):
    campaign_id = made_campaign(api, editor, project)
    client.force_login(editor)
    client.post(f"/campaigns/{campaign_id}/run/", {"stage": "drafts"})
    cell, drafts = drafts_of(campaign_id)
    client.force_login(reviewer)
    assert client.get(f"/projects/{project.pk}/").status_code == 200

    # Approving the draft the grid shows (the newest) chooses it: the other is not chosen, and says so.
    shown = drafts[-1]
    board = client.post(f"/campaigns/{campaign_id}/decide/", {"asset": shown.pk, "decision": "approve"})
    assert board.status_code == 200
    assert "other draft (not shown) is marked not chosen" in board.content.decode().replace("’", "'")
    assert Asset.objects.get(pk=drafts[0].pk).review_status == ReviewStatus.NOT_CHOSEN
    queue = client.get(f"/projects/{project.pk}/review/")
    assert str(drafts[0].pk) not in queue.content.decode()
    listed = api(reviewer).get(f"/api/v1/projects/{project.pk}/assets/", {"review_status": "pending"}).json()["results"]
    assert str(drafts[0].pk) not in [a["id"] for a in listed]

    # Rejecting that approval-chosen draft undoes the choice: its sibling waits for review again.
    client.post(f"/campaigns/{campaign_id}/decide/", {"asset": shown.pk, "decision": "reject", "comment": "Wrong shoe"})
    assert Asset.objects.get(pk=drafts[0].pk).review_status == ReviewStatus.PENDING


def test_a_decider_who_may_not_approve_anything_here_gets_no_decide_controls(client, api, owner, project, upstream, run_tasks_inline):
    """Four-eyes: the owner who ran the drafts may not approve them; no keys, no comment box, a sentence."""
    campaign_id = made_campaign(api, owner, project)
    client.force_login(owner)
    client.post(f"/campaigns/{campaign_id}/run/", {"stage": "drafts"})
    page = client.get(f"/campaigns/{campaign_id}/")
    assert b'id="grid-decision"' not in page.content and b'class="tap-decide"' not in page.content
    assert b"Under the four-eyes rule you do not approve images you made" in page.content
    assert "Next: 1 draft waits for a reviewer" in banner(page)
    # Pressed anyway (a stale page): refused, with the short reason the status line counts.
    _, drafts = drafts_of(campaign_id)
    refused = client.post(f"/campaigns/{campaign_id}/decide/", {"asset": drafts[-1].pk, "decision": "approve"})
    assert refused.status_code == 400 and b'data-refused="four-eyes rule"' in refused.content


def test_campaign_images_are_titled_by_where_they_sit_and_found_by_campaign(client, api, editor, reviewer, project, upstream, run_tasks_inline):
    entries = library(project)
    campaign_id = made_campaign(api, editor, project, entries)
    other_id = made_campaign(api, editor, project, entries, name="Autumn")
    client.force_login(editor)
    client.post(f"/campaigns/{campaign_id}/run/", {"stage": "drafts"})
    cell, drafts = drafts_of(campaign_id)
    assert [d.title for d in drafts] == ["Trail shoe 1 · scene 1 · 4:5 · draft 1", "Trail shoe 1 · scene 1 · 4:5 · draft 2"]
    client.force_login(reviewer)
    client.post(f"/campaigns/{campaign_id}/cells/{cell.pk}/", {"asset": drafts[0].pk})
    client.force_login(editor)
    client.post(f"/campaigns/{campaign_id}/run/", {"stage": "localise"})
    translation = Asset.objects.get(generation__campaign_job__stage="localise")
    assert translation.title == "Trail shoe 1 · scene 1 · 4:5 · de"

    gallery = client.get(f"/projects/{project.pk}/gallery/", {"campaign": campaign_id}).content.decode()
    assert "Trail shoe 1 · scene 1 · 4:5 · de" in gallery and 'name="campaign"' in gallery
    assert "draft 1" not in client.get(f"/projects/{project.pk}/gallery/", {"campaign": other_id}).content.decode()
    page = client.get(f"/assets/{translation.pk}/").content.decode()
    assert f'href="/campaigns/{campaign_id}/" id="crumb-campaign">Spring run</a>' in page  # the breadcrumb leads back

    client.force_login(reviewer)
    queue = client.get(f"/projects/{project.pk}/review/", {"campaign": other_id}).content.decode()
    assert "Nothing waits for your review" in queue
    queue = client.get(f"/projects/{project.pk}/review/", {"campaign": campaign_id}).content.decode()
    assert "Trail shoe 1 · scene 1 · 4:5 · de" in queue
    assert client.get(f"/projects/{project.pk}/review/", {"campaign": "nope"}).status_code == 400
