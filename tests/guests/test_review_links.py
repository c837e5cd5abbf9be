"""Guest review links: who may make them (REST and page), what a guest reaches with one (its own
assets, nothing else: other assets, the gallery, the REST API, the admin and job creation all
refuse the guest's cookie), how a guest's decision is recorded and counted, and the link's end
(revoked or expired: 410)."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from apps.approvals.models import Comment, Review, ReviewPolicy
from apps.assets.models import Asset
from apps.assets.provenance import Disclosure, describe, with_provenance
from apps.audit.models import AuditAction, AuditEvent
from apps.generations.models import Generation
from apps.guests.models import ReviewLink
from tests.factories import ProjectFactory, UserFactory, member, stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(project):
    maker = member(project, "editor")
    maker.email = "maker@brand.example"
    maker.save()
    return {
        "project": project, "owner": member(project, "owner"), "maker": maker, "viewer": member(project, "viewer"),
        "shown": stored_asset(project, user=maker, width=64, height=48),
        "also_shown": stored_asset(project, user=maker, width=64, height=48),
        "not_shown": stored_asset(project, user=maker, width=64, height=48),
    }


def make_link(api, team, **fields):
    body = {"label": "Agency Blau", "assets": [str(team["shown"].pk), str(team["also_shown"].pk)], "actions": ["comment", "decide", "download"],
            **fields}
    response = api(team["owner"]).post(f"/api/v1/projects/{team['project'].pk}/review-links/", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def guest(url: str, *, name="Bea Blau", email="bea@agency.example", passcode="") -> Client:
    client = Client()
    path = url.removeprefix("http://testserver")
    response = client.post(path, {"action": "start", "name": name, "email": email, "passcode": passcode})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def path_of(link: dict) -> str:
    return link["url"].removeprefix("http://testserver")


def test_an_owner_makes_a_link_and_only_its_hash_is_kept(api, team):
    link = make_link(api, team)

    token = link["url"].rstrip("/").rsplit("/", 1)[1]
    row = ReviewLink.objects.get()
    assert row.token_sha256 != token and len(token) >= 40 and token not in str(list(ReviewLink.objects.values()))
    assert link["scope"] == "selection" and sorted(link["assets"]) == sorted([str(team["shown"].pk), str(team["also_shown"].pk)])
    assert (row.expires_at - timezone.now()).days == 13  # 14 days, less the moment since
    listed = api(team["owner"]).get(f"/api/v1/projects/{team['project'].pk}/review-links/").json()
    assert [item["label"] for item in listed] == ["Agency Blau"] and "url" not in listed[0]
    assert AuditEvent.objects.filter(action=AuditAction.REVIEW_LINK_CREATED, target="Agency Blau").exists()


@pytest.mark.parametrize(("fields", "field", "says"), [
    ({"expires_in_days": 91}, "expires_in_days", "expires_in_days must be from 1 to 90; got 91."),
    ({"label": " "}, "label", "Name the link"),
    ({"assets": [], "asset": None}, "assets", "exactly one of asset, assets"),
    ({"passcode": "abc"}, "passcode", "A passcode has 4 to 128 characters; this one has 3."),
])
def test_link_input_is_checked_with_a_message_naming_the_field(api, team, fields, field, says):
    body = {"label": "Agency Blau", "assets": [str(team["shown"].pk)], **fields}
    response = api(team["owner"]).post(f"/api/v1/projects/{team['project'].pk}/review-links/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field and says in error["message"]


def test_an_asset_of_another_project_cannot_be_shared(api, team):
    elsewhere = stored_asset(ProjectFactory(), width=32, height=32)
    response = api(team["owner"]).post(f"/api/v1/projects/{team['project'].pk}/review-links/",
                                       {"label": "x", "assets": [str(elsewhere.pk)]}, format="json")
    assert response.status_code == 400 and "Not assets of this project" in response.json()["error"]["message"]


def test_editors_share_only_where_the_review_policy_allows(api, team):
    url = f"/api/v1/projects/{team['project'].pk}/review-links/"
    body = {"label": "Legal", "asset": str(team["shown"].pk)}
    assert api(team["maker"]).post(url, body, format="json").status_code == 403
    ReviewPolicy.objects.create(project=team["project"], editors_share_links=True)
    assert api(team["maker"]).post(url, body, format="json").status_code == 201
    assert api(team["viewer"]).post(url, body, format="json").status_code == 403
    assert api(UserFactory()).post(url, body, format="json").status_code == 404


def test_the_guest_says_who_they_are_then_sees_exactly_the_links_images(api, team):
    link = make_link(api, team)
    anonymous = Client()
    first = anonymous.get(path_of(link))
    assert first.status_code == 200 and 'name="email"' in first.content.decode()
    assert first["X-Robots-Tag"] == "noindex, nofollow" and '<meta name="robots" content="noindex, nofollow">' in first.content.decode()
    assert anonymous.get(f"{path_of(link)}assets/{team['shown'].pk}/image/").status_code == 403  # not before saying who they are

    client = guest(link["url"])
    page = client.get(path_of(link)).content.decode()

    assert str(team["shown"].pk) in page and str(team["also_shown"].pk) in page and str(team["not_shown"].pk) not in page
    image = client.get(f"{path_of(link)}assets/{team['shown'].pk}/image/")
    assert image.status_code == 200 and b"".join(image.streaming_content) == team["shown"].file.open("rb").read()


def test_a_guest_link_reaches_nothing_outside_its_scope(api, team, project):
    link = make_link(api, team)
    client = guest(link["url"])
    base = path_of(link)
    other_project_asset = stored_asset(ProjectFactory(), width=32, height=32)
    for asset in [team["not_shown"], other_project_asset, *Asset.objects.exclude(pk__in=[team["shown"].pk, team["also_shown"].pk])]:
        for suffix in ("", "image/", "image/?version=previous", "download/"):
            assert client.get(f"{base}assets/{asset.pk}/{suffix}").status_code == 404, (asset.pk, suffix)
        assert client.post(f"{base}assets/{asset.pk}/", {"action": "decide", "decision": "approve"}).status_code == 404
    shown = team["shown"].pk
    pid = project.pk
    # The guest's cookie is no account: every member's page, the REST API, the admin and job creation refuse it.
    for url in [f"/projects/{pid}/gallery/", f"/assets/{shown}/", f"/projects/{pid}/", f"/projects/{pid}/review-links/", "/projects/",
                f"/projects/{pid}/generate/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    for url in [f"/api/v1/projects/{pid}/assets/", f"/api/v1/assets/{shown}/", f"/api/v1/assets/{shown}/file/", f"/api/v1/assets/{shown}/reviews/",
                f"/api/v1/projects/{pid}/review-links/", "/api/v1/projects/"]:
        assert client.get(url).status_code in (401, 403), url
    created = client.post(f"/api/v1/projects/{pid}/generations/", {"prompt": "a cat", "model": "nano-banana"}, content_type="application/json")
    assert created.status_code in (401, 403) and not Generation.objects.exists()
    admin = client.get("/admin/assets/asset/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    # A made-up token, and the link id itself, open nothing.
    assert client.get("/r/not-a-token/").status_code == 404
    assert client.get(f"/r/{link['id']}/").status_code == 404


def test_a_second_link_is_no_key_to_the_first(api, team):
    first = make_link(api, team, assets=[str(team["shown"].pk)])
    second = make_link(api, team, assets=[str(team["not_shown"].pk)])
    client = guest(second["url"])
    assert client.get(f"{path_of(first)}assets/{team['shown'].pk}/").status_code == 403  # no visit of the first link
    assert client.get(f"{path_of(second)}assets/{team['shown'].pk}/").status_code == 404


def test_a_passcode_is_asked_for(api, team):
    link = make_link(api, team, passcode="blue-sky-42")
    wrong = Client().post(path_of(link), {"action": "start", "name": "Bea", "email": "bea@agency.example", "passcode": "nope"})
    assert wrong.status_code == 400 and "The passcode is not right" in wrong.content.decode()
    guest(link["url"], passcode="blue-sky-42")


def test_a_guest_decision_is_recorded_as_the_guests_and_does_not_count_by_default(api, team):
    link = make_link(api, team)
    client = guest(link["url"])
    asset = team["shown"]

    response = client.post(f"{path_of(link)}assets/{asset.pk}/", {"action": "decide", "decision": "approve"})

    assert response.status_code == 302
    review = Review.objects.get(asset=asset)
    assert review.reviewer is None and review.decided_by == 'guest: Bea Blau <bea@agency.example> via "Agency Blau"'
    asset.refresh_from_db()
    assert asset.review_status == "pending"  # guests do not count unless the policy says so
    event = AuditEvent.objects.get(action=AuditAction.GUEST_DECIDED)
    assert event.actor_name == review.decided_by and event.after["counted"] is False
    members_view = api(team["owner"]).get(f"/api/v1/assets/{asset.pk}/reviews/").json()
    assert members_view[0]["guest"]["link"] == "Agency Blau"
    credentials = describe(with_provenance(Asset.objects.filter(pk=asset.pk)).get(), disclosure=Disclosure(prompt=False, names=True, comments=False))
    assert credentials["reviews"][0]["guest"] is True and credentials["reviews"][0]["via"] == "Agency Blau"
    assert credentials["reviews"][0]["reviewer"] == review.decided_by and credentials["approvals"] == 0


def test_where_guests_count_a_guest_approval_approves(api, team):
    ReviewPolicy.objects.create(project=team["project"], guests_count=True)
    link = make_link(api, team)
    client = guest(link["url"])

    client.post(f"{path_of(link)}assets/{team['shown'].pk}/", {"action": "decide", "decision": "approve"})

    team["shown"].refresh_from_db()
    assert team["shown"].review_status == "approved"
    assert client.get(f"{path_of(link)}assets/{team['shown'].pk}/download/").status_code == 200
    assert client.get(f"{path_of(link)}assets/{team['also_shown'].pk}/download/").status_code == 403  # not approved yet


def test_a_guests_request_for_changes_stands_and_needs_a_comment(api, team):
    link = make_link(api, team)
    client = guest(link["url"])
    url = f"{path_of(link)}assets/{team['shown'].pk}/"

    refused = client.post(url, {"action": "decide", "decision": "request_changes", "comment": ""})
    client.post(url, {"action": "decide", "decision": "request_changes", "comment": "The logo is too small."})

    assert refused.status_code == 400 and "A comment is required to request changes" in refused.content.decode()
    team["shown"].refresh_from_db()
    assert team["shown"].review_status == "changes_requested"


def test_four_eyes_holds_through_a_link(api, team):
    ReviewPolicy.objects.create(project=team["project"], guests_count=True)
    link = make_link(api, team)
    client = guest(link["url"], name="Me Again", email="Maker@Brand.example")

    response = client.post(f"{path_of(link)}assets/{team['shown'].pk}/", {"action": "decide", "decision": "approve"})

    assert response.status_code == 403 and "Four-eyes rule" in response.content.decode()
    assert not Review.objects.exists()


def test_what_the_link_does_not_allow_is_refused(api, team):
    link = make_link(api, team, actions=[])
    client = guest(link["url"])
    url = f"{path_of(link)}assets/{team['shown'].pk}/"
    page = client.get(url).content.decode()
    assert "Your decision" not in page and "Add comment" not in page
    assert client.post(url, {"action": "decide", "decision": "approve"}).status_code == 403
    assert client.post(url, {"action": "comment", "body": "hi"}).status_code == 403
    assert not Review.objects.exists() and not Comment.objects.exists()


def test_a_guest_comment_is_pinned_and_marked_as_the_guests(api, team):
    link = make_link(api, team)
    client = guest(link["url"])

    client.post(f"{path_of(link)}assets/{team['shown'].pk}/", {"action": "comment", "body": "Move the shoe left", "x": "0.25", "y": "0.5"})

    comment = Comment.objects.get()
    assert comment.author is None and comment.guest["name"] == "Bea Blau" and comment.pin == {"x": 0.25, "y": 0.5}
    listed = api(team["owner"]).get(f"/api/v1/assets/{team['shown'].pk}/comments/").json()
    assert listed["results"][0]["guest"]["email"] == "bea@agency.example" if "results" in listed else listed[0]["guest"]["email"] == "bea@agency.example"
    assert "Move the shoe left" in client.get(f"{path_of(link)}assets/{team['shown'].pk}/").content.decode()


def test_a_revoked_link_answers_410_with_a_plain_page(api, team):
    link = make_link(api, team)
    client = guest(link["url"])

    assert api(team["viewer"]).delete(f"/api/v1/review-links/{link['id']}/").status_code == 403
    assert api(team["owner"]).delete(f"/api/v1/review-links/{link['id']}/").status_code == 204

    for url in [path_of(link), f"{path_of(link)}assets/{team['shown'].pk}/", f"{path_of(link)}assets/{team['shown'].pk}/image/"]:
        response = client.get(url)
        assert response.status_code == 410 and "was revoked" in response.content.decode(), url
        assert str(team["shown"].pk) not in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditAction.REVIEW_LINK_REVOKED).count() == 1


def test_an_expired_link_answers_410(api, team):
    link = make_link(api, team)
    ReviewLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = Client().get(path_of(link))
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_guest_actions_are_rate_limited(api, team, settings):
    settings.GUEST_ACTIONS_PER_MINUTE = 3
    link = make_link(api, team)
    client = guest(link["url"])  # one action
    url = f"{path_of(link)}assets/{team['shown'].pk}/"
    statuses = [client.post(url, {"action": "comment", "body": f"note {n}"}).status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    assert Comment.objects.count() == 2


def test_the_owners_page_makes_and_revokes_a_link(client, team):
    client.force_login(team["owner"])
    shown = team["shown"].pk
    shared = client.post(f"/projects/{team['project'].pk}/review-links/", {"action": "share", "assets": [str(shown)]})
    assert shared.status_code == 200 and "The 1 selected asset" in shared.content.decode()

    made = client.post(f"/projects/{team['project'].pk}/review-links/", {
        "assets": [str(shown)], "scope": "selection", "label": "Legal", "expires_in_days": "7", "actions": ["comment"],
    })

    page = made.content.decode()
    assert made.status_code == 200 and "shown only now" in page and "http://testserver/r/" in page
    link = ReviewLink.objects.get()
    assert link.actions == ["comment"] and list(link.assets.all()) == [team["shown"]]
    too_long = client.post(f"/projects/{team['project'].pk}/review-links/", {"assets": [str(shown)], "scope": "selection", "label": "x", "expires_in_days": "120"})
    assert too_long.status_code == 400 and "90" in too_long.content.decode()
    assert client.post(f"/review-links/{link.pk}/revoke/").status_code == 302
    link.refresh_from_db()
    assert link.revoked_at is not None


def test_a_campaign_stage_link_needs_the_stage_to_have_images(api, team):
    from apps.campaigns.services import CampaignInput, campaign_create
    from tests.factories import LibraryEntryFactory
    from apps.library.models import EntryKind

    product = LibraryEntryFactory(project=team["project"], kind=EntryKind.OBJECT, name="Trail shoe")
    campaign = campaign_create(project=team["project"], user=team["owner"], data=CampaignInput(
        name="Spring", products=[product.pk], scenes=["a park"], formats=["1:1"]))
    url = f"/api/v1/projects/{team['project'].pk}/review-links/"

    empty = api(team["owner"]).post(url, {"label": "Client", "campaign": str(campaign.pk), "stage": "drafts"}, format="json")
    unknown = api(team["owner"]).post(url, {"label": "Client", "campaign": str(campaign.pk), "stage": "later"}, format="json")

    assert empty.status_code == 400 and "drafts stage has no images yet" in empty.json()["error"]["message"]
    assert unknown.status_code == 400 and unknown.json()["error"]["field"] == "stage"


def test_members_see_the_guests_decision_on_the_asset_page(api, client, team):
    link = make_link(api, team)
    guest(link["url"]).post(f"{path_of(link)}assets/{team['shown'].pk}/", {"action": "decide", "decision": "reject", "comment": "Off brand"})
    client.force_login(team["viewer"])
    page = client.get(f"/assets/{team['shown'].pk}/").content.decode()
    assert "guest: Bea Blau &lt;bea@agency.example&gt; via &quot;Agency Blau&quot;" in page
