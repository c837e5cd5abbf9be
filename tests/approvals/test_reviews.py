import pytest

from apps.approvals.models import Review
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


def test_decisions_are_kept_and_set_the_review_status(api, project, reviewer, editor):
    asset = stored_asset(project, user=editor)
    client = api(reviewer)
    url = f"/api/v1/assets/{asset.id}/reviews/"

    rejected = client.post(url, {"decision": "reject", "comment": "Logo is off-brand."}, format="json")
    approved = client.post(url, {"decision": "approve"}, format="json")

    assert (rejected.status_code, approved.status_code) == (201, 201)
    assert approved.json()["review_status"] == "approved"
    history = client.get(url).json()
    assert [r["decision"] for r in history] == ["approve", "reject"]
    assert history[1]["reviewer"] == reviewer.username and history[1]["comment"] == "Logo is off-brand."
    assert api(editor).get(f"/api/v1/assets/{asset.id}/").json()["review_status"] == "approved"


def test_reject_needs_a_comment(api, project, reviewer):
    asset = stored_asset(project)
    response = api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "reject"}, format="json")
    assert response.status_code == 400 and response.json()["error"]["field"] == "comment"
    assert not Review.objects.exists()


def test_review_queue_is_the_pending_filter(api, project, reviewer):
    pending = stored_asset(project)
    done = stored_asset(project)
    api(reviewer).post(f"/api/v1/assets/{done.id}/reviews/", {"decision": "approve"}, format="json")

    page = api(reviewer).get(f"/api/v1/projects/{project.id}/assets/?review_status=pending").json()
    assert [a["id"] for a in page["results"]] == [str(pending.id)]
    bad = api(reviewer).get(f"/api/v1/projects/{project.id}/assets/?review_status=maybe")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "review_status"


def test_admin_reviewer_sees_only_their_projects_and_can_approve(client, project, reviewer):
    from tests.factories import ProjectFactory

    reviewer.is_staff = True
    reviewer.save()
    mine = stored_asset(project)
    theirs = stored_asset(ProjectFactory())
    client.force_login(reviewer)

    listing = client.get("/admin/assets/asset/")
    assert listing.status_code == 200
    assert str(mine.id) in listing.content.decode() and str(theirs.id) not in listing.content.decode()
    assert client.get(f"/admin/assets/asset/{theirs.id}/change/").status_code in (302, 404)

    page = client.get(f"/admin/assets/asset/{mine.id}/change/")
    assert page.status_code == 200 and f"/api/v1/assets/{mine.id}/display/" in page.content.decode()  # the web-size copy
    client.post(f"/admin/assets/asset/{mine.id}/change/", {"decision": "approve", "comment": "", "reviews-TOTAL_FORMS": 0, "reviews-INITIAL_FORMS": 0})
    mine.refresh_from_db()
    assert mine.review_status == "approved"
    assert Review.objects.get(asset=mine).reviewer == reviewer


def test_admin_bulk_action_refuses_where_role_lacks_review(client, project, editor):
    editor.is_staff = True
    editor.save()
    asset = stored_asset(project)
    client.force_login(editor)
    client.post("/admin/assets/asset/", {"action": "approve_selected", "_selected_action": [str(asset.id)]})
    asset.refresh_from_db()
    assert asset.review_status == "pending"
