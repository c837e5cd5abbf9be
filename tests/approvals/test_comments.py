"""Pinned review comments: pins, replies, resolve and reopen, @mentions, limits, webhooks, and pins
from an earlier version shown on what was made from it."""

import pytest

from apps.approvals import models as approval_models
from apps.approvals.models import Comment
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import GenerationFactory, member, stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(project):
    return {role: member(project, role, username=f"{role}-1") for role in ("owner", "editor", "reviewer", "viewer")}


@pytest.fixture
def asset(project, team):
    return stored_asset(project, user=team["editor"])


def comments_url(asset):
    return f"/api/v1/assets/{asset.pk}/comments/"


def post(api, user, asset, **body):
    return api(user).post(comments_url(asset), body, format="json")


def test_a_reviewer_pins_a_rectangle_and_everyone_in_the_project_reads_it(api, team, asset):
    response = post(api, team["reviewer"], asset, body="The cap should be red", pin={"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25})
    assert response.status_code == 201, response.json()
    made = response.json()
    assert made["pin"] == {"x": 0.1, "y": 0.2, "w": 0.3, "h": 0.25}
    assert made["author"] == "reviewer-1" and made["resolved"] is False

    listed = api(team["viewer"]).get(comments_url(asset)).json()
    assert [(c["body"], c["number"], c["on_earlier_version"]) for c in listed] == [("The cap should be red", 1, False)]


def test_a_point_pin_and_an_unpinned_comment_number_only_the_pins(api, team, asset):
    post(api, team["reviewer"], asset, body="General remark")
    post(api, team["editor"], asset, body="This finger", pin={"x": 0.5, "y": 0.5})
    post(api, team["owner"], asset, body="That logo", pin={"x": 0.7, "y": 0.1, "w": 0.1, "h": 0.1})
    listed = api(team["viewer"]).get(comments_url(asset)).json()
    assert [(c["body"], c["number"]) for c in listed] == [("General remark", None), ("This finger", 1), ("That logo", 2)]


def test_viewers_read_but_may_not_comment(api, team, asset):
    response = post(api, team["viewer"], asset, body="Looks off")
    assert response.status_code == 403
    assert "Allowed roles" in response.json()["error"]["message"]
    assert not Comment.objects.exists()


@pytest.mark.parametrize(
    "pin, words",
    [
        ({"x": 1.2, "y": 0.5}, "pin.x must be a number from 0 to 1"),
        ({"x": 0.5, "y": 0.5, "w": 0, "h": 0.1}, "no area"),
        ({"x": 0.8, "y": 0.5, "w": 0.3, "h": 0.1}, "outside the image"),
        ({"x": 0.5}, '{"x", "y"}'),
    ],
)
def test_bad_pins_are_refused_naming_pin_and_its_limits(api, team, asset, pin, words):
    response = post(api, team["reviewer"], asset, body="here", pin=pin)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "pin" and words in error["message"]


def test_replies_thread_under_the_comment_and_cannot_carry_pins(api, team, asset):
    first = post(api, team["reviewer"], asset, body="Wrong cap", pin={"x": 0.1, "y": 0.1}).json()
    reply = post(api, team["editor"], asset, body="On it", parent=first["id"]).json()
    post(api, team["owner"], asset, body="Thanks", parent=reply["id"])  # a reply to a reply joins the thread
    refused = post(api, team["editor"], asset, body="here?", parent=first["id"], pin={"x": 0.2, "y": 0.2})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "pin"

    listed = api(team["viewer"]).get(comments_url(asset)).json()
    assert len(listed) == 1
    assert [r["body"] for r in listed[0]["replies"]] == ["On it", "Thanks"]


def test_resolve_and_reopen(api, team, asset):
    made = post(api, team["reviewer"], asset, body="Fix the sky", pin={"x": 0.1, "y": 0.1}).json()
    url = f"/api/v1/comments/{made['id']}/"
    resolved = api(team["editor"]).patch(url, {"resolved": True}, format="json").json()
    assert resolved["resolved"] is True and resolved["resolved_by"] == "editor-1"
    assert api(team["viewer"]).patch(url, {"resolved": False}, format="json").status_code == 403
    reopened = api(team["reviewer"]).patch(url, {"resolved": False}, format="json").json()
    assert reopened["resolved"] is False and reopened["resolved_by"] is None


def test_only_the_author_edits_a_comment(api, team, asset):
    made = post(api, team["reviewer"], asset, body="Fix the sky").json()
    url = f"/api/v1/comments/{made['id']}/"
    refused = api(team["editor"]).patch(url, {"body": "Fix the ground"}, format="json")
    assert refused.status_code == 403 and "your own" in refused.json()["error"]["message"]
    edited = api(team["reviewer"]).patch(url, {"body": "Fix the sky, @editor-1"}, format="json").json()
    assert edited["body"] == "Fix the sky, @editor-1" and edited["edited_at"]
    assert edited["mentions"] == ["editor-1"]


def test_mentions_record_project_members_only(api, project, team, asset):
    member(project.__class__.objects.create(name="Elsewhere"), "owner", username="stranger")
    made = post(api, team["reviewer"], asset, body="@owner-1 and @editor-1 please, not @stranger or @nobody").json()
    assert made["mentions"] == ["owner-1", "editor-1"]
    assert set(Comment.objects.get().mentions.values_list("username", flat=True)) == {"owner-1", "editor-1"}


def test_limits_are_refused_with_their_numbers(api, team, asset, monkeypatch):
    too_long = post(api, team["reviewer"], asset, body="x" * (approval_models.COMMENT_MAX_CHARS + 1))
    assert too_long.status_code == 400
    error = too_long.json()["error"]
    assert error["field"] == "body" and error["details"] == {"limit": 4000, "value": 4001}
    assert "4001" in error["message"] and "4000" in error["message"]

    monkeypatch.setattr("apps.approvals.services.COMMENTS_PER_ASSET", 2)
    post(api, team["reviewer"], asset, body="one")
    post(api, team["reviewer"], asset, body="two")
    full = post(api, team["reviewer"], asset, body="three")
    assert full.status_code == 400
    assert full.json()["error"]["details"] == {"limit": 2, "value": 2}
    assert Comment.objects.count() == 2

    empty = post(api, team["reviewer"], asset, body="   ")
    assert empty.status_code == 400 and empty.json()["error"]["field"] == "body"


def test_comment_created_and_resolved_are_sent_to_webhooks(api, project, team, asset, settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["comment.created", "comment.resolved"])
    made = post(api, team["reviewer"], asset, body="Fix @editor-1", pin={"x": 0.1, "y": 0.1}).json()
    api(team["editor"]).patch(f"/api/v1/comments/{made['id']}/", {"resolved": True}, format="json")
    sent = {d.event: d.payload["data"] for d in WebhookDelivery.objects.all()}
    assert sent["comment.created"]["body"] == "Fix @editor-1" and sent["comment.created"]["mentions"] == ["editor-1"]
    assert sent["comment.created"]["pin"] == {"x": 0.1, "y": 0.1}
    assert sent["comment.resolved"] == {"comment": str(made["id"]), "asset": str(asset.pk), "resolved_by": "editor-1", "addressed_in": None}


def test_pins_from_an_earlier_version_show_marked_on_what_was_made_from_it(api, project, team, asset):
    post(api, team["reviewer"], asset, body="Smudged logo", pin={"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2})
    post(api, team["reviewer"], asset, body="Not pinned: stays on the original")
    edited = stored_asset(project, user=team["editor"], parents=[(asset, "edited_from")])
    upscaled = stored_asset(project, user=team["editor"], parents=[(edited, "upscaled_from")])
    variation = stored_asset(project, user=team["editor"], parents=[(asset, "variation_of")])
    post(api, team["reviewer"], upscaled, body="Still soft here", pin={"x": 0.5, "y": 0.5})

    listed = api(team["viewer"]).get(comments_url(upscaled)).json()
    assert [(c["body"], c["on_earlier_version"], c["number"]) for c in listed] == [
        ("Still soft here", False, 1), ("Smudged logo", True, 2),
    ]
    assert listed[1]["asset"] == str(asset.pk)
    assert api(team["viewer"]).get(comments_url(variation)).json() == []  # a new picture: its places differ


def test_approving_the_asset_that_addressed_a_comment_resolves_it(api, project, team, asset):
    made = post(api, team["reviewer"], asset, body="Wrong cap", pin={"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}).json()
    job = GenerationFactory(project=project, created_by=team["editor"], kind="region_edit")
    fixed = stored_asset(project, user=team["editor"], generation=job, origin="generated", parents=[(asset, "region_edit_of")])
    Comment.objects.filter(pk=made["id"]).update(addressed_by=job)
    response = api(team["reviewer"]).post(f"/api/v1/assets/{fixed.pk}/reviews/", {"decision": "approve"}, format="json")
    assert response.status_code == 201
    comment = Comment.objects.get(pk=made["id"])
    assert comment.is_resolved and comment.resolved_by == team["reviewer"]
