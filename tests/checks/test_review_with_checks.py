"""Review policy `checks_must_pass`, waivers and "approve all that pass", through REST, the pages
and the admin: one rule (apps.approvals.policy.checks_blocking), the same answers everywhere."""

import pytest

from apps.approvals.models import Review, ReviewPolicy
from apps.audit.models import AuditEvent
from tests.factories import asset_check, stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def strict(project):
    return ReviewPolicy.objects.create(project=project, checks_must_pass=True)


def approve(api, user, asset, **extra):
    return api(user).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "approve", **extra}, format="json")


def test_approving_a_failing_asset_is_409_naming_the_checks_then_201_with_a_waiver(api, project, editor, reviewer, strict):
    asset = stored_asset(project, user=editor)
    asset_check(asset, failed=("copy", "spelling"))

    refused = approve(api, reviewer, asset)

    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "checks_failed" and error["details"]["checks"] == ["copy", "spelling"]
    assert "copy, spelling" in error["message"] and "waiver" in error["message"]
    assert not Review.objects.exists() and not AuditEvent.objects.exists()

    waived = approve(api, reviewer, asset, waiver="Legal approved the old spelling for this market.")

    assert waived.status_code == 201, waived.json()
    body = waived.json()
    assert body["waiver"] == "Legal approved the old spelling for this market." and body["waived_checks"] == ["copy", "spelling"]
    assert body["review_status"] == "approved" and body["policy_in_force"]["checks_must_pass"] is True
    event = AuditEvent.objects.get()
    assert event.action == "review.checks_waived" and event.actor == reviewer
    assert event.after == {"asset": str(asset.pk), "decision": "approve", "checks": ["copy", "spelling"],
                           "waiver": "Legal approved the old spelling for this market."}
    history = api(reviewer).get(f"/api/v1/assets/{asset.pk}/reviews/").json()
    assert history[0]["waiver"].startswith("Legal approved")
    signed = api(reviewer).get(f"/api/v1/assets/{asset.pk}/credentials/").json()  # read back from the signed copy
    review = signed["platform"]["reviews"][0]
    assert review["waiver"].startswith("Legal approved") and review["waived_checks"] == ["copy", "spelling"]


def test_without_the_policy_a_failing_asset_is_approved_and_a_given_waiver_is_kept(api, project, editor, reviewer):
    asset = stored_asset(project, user=editor)
    asset_check(asset, failed=("palette",))
    assert approve(api, reviewer, asset).status_code == 201
    other = stored_asset(project, user=editor)
    asset_check(other, failed=("palette",))
    assert approve(api, reviewer, other, waiver="Seasonal palette.").json()["waived_checks"] == ["palette"]


@pytest.mark.parametrize("reading", [{"warned": ("logo",)}, {"checking": True}, None])
def test_only_failures_block(api, project, editor, reviewer, strict, reading):
    """Needs attention, still checking, never checked: the policy is about failing checks."""
    asset = stored_asset(project, user=editor)
    if reading is not None:
        asset_check(asset, **reading)
    response = approve(api, reviewer, asset)
    assert response.status_code == 201 and response.json()["waiver"] == ""


def test_a_waiver_on_a_reject_is_refused_by_name(api, project, editor, reviewer, strict):
    asset = stored_asset(project, user=editor)
    response = api(reviewer).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "reject", "comment": "no", "waiver": "x"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "waiver"


def test_the_policy_option_is_set_over_rest_by_owners(api, project, owner, reviewer):
    url = f"/api/v1/projects/{project.pk}/review-policy/"
    assert api(reviewer).patch(url, {"checks_must_pass": True}, format="json").status_code == 403
    response = api(owner).patch(url, {"checks_must_pass": True}, format="json")
    assert response.status_code == 200 and response.json()["checks_must_pass"] is True
    assert AuditEvent.objects.get().after["checks_must_pass"] is True


def test_asset_page_offers_a_waiver_and_shows_the_refusal(client, project, editor, reviewer, strict):
    asset = stored_asset(project, user=editor)
    asset_check(asset, failed=("contrast",))
    client.force_login(reviewer)
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "Brand checks failed:" in page and 'name="waiver"' in page and 'href="#check-contrast"' in page

    refused = client.post(f"/assets/{asset.pk}/", {"decision": "approve", "comment": ""})
    assert refused.status_code == 400 and "Brand checks failed: contrast" in refused.content.decode()
    assert not Review.objects.exists()

    done = client.post(f"/assets/{asset.pk}/", {"decision": "approve", "waiver": "Print only; contrast checked on paper."}, follow=True)
    assert "Approved. Waived: contrast." in done.content.decode()
    assert "Waived failing checks (contrast): “Print only; contrast checked on paper.”" in done.content.decode()
    assert AuditEvent.objects.filter(action="review.checks_waived").count() == 1


def test_review_queue_refuses_the_same_way(client, project, editor, reviewer, strict):
    asset = stored_asset(project, user=editor)
    asset_check(asset, failed=("logo",))
    client.force_login(reviewer)
    refused = client.post(f"/projects/{project.pk}/review/", {"asset": str(asset.pk), "decision": "approve"})
    assert refused.status_code == 400 and "Brand checks failed: logo" in refused.content.decode()
    client.post(f"/projects/{project.pk}/review/", {"asset": str(asset.pk), "decision": "approve", "waiver": "Logo added in print."})
    assert Review.objects.get().waiver == "Logo added in print."


def test_admin_refuses_without_waiver_and_records_with_one(client, project, editor, reviewer, strict):
    asset = stored_asset(project, user=editor)
    asset_check(asset, failed=("size",))
    client.force_login(reviewer)
    url = f"/admin/assets/asset/{asset.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="waiver"' in page and "<strong>size</strong> fail: size failed" in page
    response = client.post(url, {"decision": "approve", "comment": "", "waiver": ""}, follow=True)
    assert "Brand checks failed: size" in response.content.decode() and not Review.objects.exists()
    client.post(url, {"decision": "approve", "comment": "", "waiver": "Cropped downstream."}, follow=True)
    assert Review.objects.get().waived_checks == ["size"]


# --- approve all that pass


def test_approve_passing_selection_approves_exactly_the_passing_ones_and_counts_the_rest(api, project, editor, reviewer, strict):
    passing = [stored_asset(project, user=editor) for _ in range(3)]
    for asset in passing:
        asset_check(asset)
    failing = stored_asset(project, user=editor)
    asset_check(failing, failed=("copy",))
    attention = stored_asset(project, user=editor)
    asset_check(attention, warned=("palette",))
    checking = stored_asset(project, user=editor)
    asset_check(checking, checking=True)
    unchecked = stored_asset(project, user=editor)
    own = stored_asset(project, user=reviewer)  # four-eyes: the reviewer made it
    asset_check(own)
    chosen = [*passing, failing, attention, checking, unchecked, own]

    response = api(reviewer).post(f"/api/v1/projects/{project.pk}/approve-passing/", {"assets": [str(a.pk) for a in chosen]}, format="json")

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["approved"], body["refused"], body["not_passing"]) == (3, 1, 4)
    assert sorted(body["approved_assets"]) == sorted(str(a.pk) for a in passing)
    assert body["refusals"][0]["asset"] == str(own.pk) and "Four-eyes" in body["refusals"][0]["message"]
    assert Review.objects.count() == 3 and set(Review.objects.values_list("asset_id", flat=True)) == {a.pk for a in passing}


def test_approve_passing_is_for_deciders_only(api, project, editor, viewer, outsider):
    url = f"/api/v1/projects/{project.pk}/approve-passing/"
    body = {"assets": [str(stored_asset(project, user=editor).pk)]}
    assert api(editor).post(url, body, format="json").status_code == 403
    assert api(viewer).post(url, body, format="json").status_code == 403
    assert api(outsider).post(url, body, format="json").status_code == 404


def test_gallery_selection_and_queue_approve_only_passing(client, project, editor, reviewer):
    good, bad = stored_asset(project, user=editor), stored_asset(project, user=editor)
    asset_check(good)
    asset_check(bad, failed=("terms",))
    client.force_login(reviewer)
    done = client.post(f"/projects/{project.pk}/gallery/selection/", {"action": "approve_passing", "assets": [str(good.pk), str(bad.pk)]}, follow=True)
    assert "Approved 1 asset whose checks passed; 1 not passing left for review." in done.content.decode()
    assert list(Review.objects.values_list("asset_id", flat=True)) == [good.pk]

    more = stored_asset(project, user=editor)
    asset_check(more)
    done = client.post(f"/projects/{project.pk}/review/", {"action": "approve_passing"}, follow=True)
    assert "Approved 1 asset whose checks passed; 1 not passing left for review." in done.content.decode()
    assert Review.objects.count() == 2


def test_admin_action_approves_only_passing(client, project, editor, reviewer):
    good, bad = stored_asset(project, user=editor), stored_asset(project, user=editor)
    asset_check(good)
    asset_check(bad, failed=("copy",))
    client.force_login(reviewer)
    client.post("/admin/assets/asset/", {"action": "approve_passing_selected", "_selected_action": [str(good.pk), str(bad.pk)]}, follow=True)
    assert list(Review.objects.values_list("asset_id", flat=True)) == [good.pk]
