"""The fix loop on the pages: comments posted from a page (pinned or not, replies), resolved and
reopened, applied as an edit; the markers' data on the asset page, queue, cell view and admin;
Fix a region's form and its crop preview."""

import json

import pytest

from apps.approvals.models import Comment
from apps.generations.models import Generation, RegionEdit
from tests.factories import member, stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(project):
    return {role: member(project, role, username=f"{role}-1") for role in ("owner", "editor", "reviewer", "viewer")}


@pytest.fixture
def asset(project, team):
    return stored_asset(project, user=team["editor"])


def markers(response) -> list[dict]:
    page = response.content.decode()
    start = page.index('<script id="pin-markers" type="application/json">') + len('<script id="pin-markers" type="application/json">')
    return json.loads(page[start:page.index("</script>", start)])


def test_a_reviewer_pins_a_box_from_the_asset_page_and_it_is_numbered_over_the_image(client, team, asset):
    client.force_login(team["reviewer"])
    response = client.post(f"/assets/{asset.pk}/comments/", {"body": "The cap should be red", "pin": '{"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25}',
                                                              "next": f"/assets/{asset.pk}/"})
    assert response.status_code == 302 and response["Location"] == f"/assets/{asset.pk}/"
    comment = Comment.objects.get(asset=asset)
    assert comment.pin == {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25} and comment.author == team["reviewer"]

    page = client.get(f"/assets/{asset.pk}/")
    assert markers(page) == [{"id": comment.pk, "number": 1, "pin": comment.pin, "resolved": False, "earlier": False}]
    assert "The cap should be red" in page.content.decode()


def test_with_htmx_a_refused_comment_keeps_its_text_and_says_why(client, team, asset):
    client.force_login(team["reviewer"])
    response = client.post(f"/assets/{asset.pk}/comments/", {"body": "Keep me", "pin": '{"x": 1.5, "y": 0.2}'}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    page = response.content.decode()
    assert "pin.x must be a number from 0 to 1; got 1.5" in page
    assert ">Keep me</textarea>" in page
    assert not Comment.objects.exists()


def test_an_empty_comment_is_refused_naming_the_field(client, team, asset):
    client.force_login(team["reviewer"])
    response = client.post(f"/assets/{asset.pk}/comments/", {"body": "  "}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    assert not Comment.objects.exists()


def test_replies_resolve_and_reopen_from_the_page(client, team, asset):
    comment = Comment.objects.create(asset=asset, author=team["reviewer"], body="Sixth finger", pin={"x": 0.5, "y": 0.5})
    client.force_login(team["editor"])
    assert client.post(f"/assets/{asset.pk}/comments/", {"body": "On it", "parent": comment.pk}).status_code == 302
    assert [r.body for r in comment.replies.all()] == ["On it"]

    panel = client.post(f"/comments/{comment.pk}/resolve/", {"resolved": "1"}, HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and "Reopen" in panel.content.decode()
    comment.refresh_from_db()
    assert comment.is_resolved and comment.resolved_by == team["editor"]
    client.post(f"/comments/{comment.pk}/resolve/", {"resolved": "0"})
    comment.refresh_from_db()
    assert not comment.is_resolved


def test_viewers_read_comments_without_the_forms(client, team, asset):
    Comment.objects.create(asset=asset, author=team["reviewer"], body="Smudged logo", pin={"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    client.force_login(team["viewer"])
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "Smudged logo" in page
    assert "New comment" not in page and "Apply as edit" not in page and "Fix a region" not in page


def test_reviewers_comment_but_only_editors_and_owners_see_apply_as_edit(client, team, asset):
    Comment.objects.create(asset=asset, author=team["reviewer"], body="Wrong cap", pin={"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    client.force_login(team["reviewer"])
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "New comment" in page and "Apply as edit" not in page
    client.force_login(team["editor"])
    assert "Apply as edit" in client.get(f"/assets/{asset.pk}/").content.decode()


def test_apply_as_edit_from_the_page_queues_a_region_edit_of_the_box_with_the_reworded_instruction(client, team, asset):
    comment = Comment.objects.create(asset=asset, author=team["reviewer"], body="Wrong cap", pin={"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    client.force_login(team["editor"])
    response = client.post(f"/comments/{comment.pk}/apply/", {"prompt": "Make the bottle cap red", "mode": "crop"})
    job = Generation.objects.get(kind="region_edit")
    assert response.status_code == 302 and response["Location"] == f"/jobs/{job.pk}/"
    assert job.prompt == "Make the bottle cap red"
    assert RegionEdit.objects.get(generation=job).region == {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}
    comment.refresh_from_db()
    assert comment.addressed_by == job


def test_a_point_pin_cannot_be_applied_and_the_page_says_why(client, team, asset):
    comment = Comment.objects.create(asset=asset, author=team["reviewer"], body="Here", pin={"x": 0.1, "y": 0.1})
    client.force_login(team["editor"])
    response = client.post(f"/comments/{comment.pk}/apply/", {"mode": "crop"}, follow=True)
    assert "Only a comment pinned with a rectangle can be applied as an edit" in response.content.decode()
    assert not Generation.objects.filter(kind="region_edit").exists()


def test_fix_a_region_from_the_page_queues_the_job_and_bad_regions_say_why(client, team, asset):
    client.force_login(team["editor"])
    response = client.post(f"/assets/{asset.pk}/region-edit/", {"prompt": "A red cap", "region": '{"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}', "mode": "crop", "feather": "12"})
    job = Generation.objects.get(kind="region_edit")
    assert response["Location"] == f"/jobs/{job.pk}/"
    assert RegionEdit.objects.get(generation=job).feather == 12

    refused = client.post(f"/assets/{asset.pk}/region-edit/", {"prompt": "A red cap", "region": '{"x": 0, "y": 0, "w": 1, "h": 1}', "mode": "crop", "feather": "8"}, follow=True)
    assert "The region covers the whole image" in refused.content.decode()
    nothing = client.post(f"/assets/{asset.pk}/region-edit/", {"prompt": "A red cap", "region": "", "mode": "crop", "feather": "8"}, follow=True)
    assert "Draw a box or paint over the part of the image to change first." in nothing.content.decode()
    assert Generation.objects.filter(kind="region_edit").count() == 1


def test_the_crop_preview_is_the_jobs_own_plan(client, team, project):
    wide = stored_asset(project, user=team["editor"], width=1024, height=768)
    client.force_login(team["editor"])
    plan = client.get(f"/assets/{wide.pk}/region-edit/preview/", {"x": 0.4, "y": 0.4, "w": 0.1, "h": 0.1}).json()
    assert plan["crop_pixels"][0] >= round(1024 * 0.1 * 1.4) and plan["aspect_ratio"] and plan["image_size"]
    covers = plan["covers"]
    assert covers["x"] <= 0.4 and covers["x"] + covers["w"] >= 0.5  # the region with its context

    client.post(f"/assets/{wide.pk}/region-edit/", {"prompt": "A red cap", "region": '{"x": 0.4, "y": 0.4, "w": 0.1, "h": 0.1}', "mode": "crop", "feather": "8"})
    spec = RegionEdit.objects.get()
    assert [spec.covers["width"], spec.covers["height"]] == plan["crop_pixels"]
    assert spec.generation.aspect_ratio == plan["aspect_ratio"]

    refused = client.get(f"/assets/{wide.pk}/region-edit/preview/", {"x": 0.4, "y": 0.4, "w": 0.9, "h": 0.1})
    assert refused.status_code == 400 and "outside the image" in refused.json()["error"]
    assert client.get(f"/assets/{wide.pk}/region-edit/preview/", {"x": "a"}).status_code == 400


def test_pins_show_in_the_review_queue_the_cell_view_and_the_admin(client, team, asset, project):
    comment = Comment.objects.create(asset=asset, author=team["reviewer"], body="Smudge", pin={"x": 0.3, "y": 0.3})
    client.force_login(team["owner"])
    queue = client.get(f"/projects/{project.pk}/review/")
    assert markers(queue) == [{"id": comment.pk, "number": 1, "pin": {"x": 0.3, "y": 0.3}, "resolved": False, "earlier": False}]
    admin = client.get(f"/admin/assets/asset/{asset.pk}/change/").content.decode()
    assert "data-pins=" in admin and "js/pins.js" in admin and f'id="comment-{comment.pk}"' in admin


def test_a_region_edits_page_outlines_the_region_over_its_source(client, team, asset, project):
    job = Generation.objects.create(project=project, created_by=team["editor"], kind="region_edit", prompt="x", model="gemini-3.1-flash-image-preview",
                                    status="succeeded")
    RegionEdit.objects.create(generation=job, mode="crop", region={"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.4}, box={}, covers={}, box_2d=[], feather=8, context=0.2)
    fixed = stored_asset(project, user=team["editor"], generation=job, origin="generated", parents=[(asset, "region_edit_of")])
    client.force_login(team["viewer"])
    page = client.get(f"/assets/{fixed.pk}/").content.decode()
    assert 'data-region-outline="{&quot;x&quot;: 0.1, &quot;y&quot;: 0.2, &quot;w&quot;: 0.3, &quot;h&quot;: 0.4}"' in page
