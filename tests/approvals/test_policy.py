"""One rule decides who may decide; REST and the admin must agree for every role."""

import pytest

from apps.approvals.models import Review
from apps.approvals.policy import status_from_log
from tests.factories import ProjectFactory, member, stored_asset

pytestmark = pytest.mark.django_db

ROLES = ["owner", "editor", "reviewer", "viewer"]


def admin_decides(client, user, asset) -> bool:
    user.is_staff = True
    user.save()
    client.force_login(user)
    client.post("/admin/assets/asset/", {"action": "approve_selected", "_selected_action": [str(asset.id)]})
    return Review.objects.filter(asset=asset, reviewer=user).exists()


@pytest.mark.parametrize("role", ROLES)
def test_admin_and_rest_agree_for_every_role(api, client, role):
    project = ProjectFactory()
    maker = member(project, "editor")
    via_rest, via_admin = stored_asset(project, user=maker), stored_asset(project, user=maker)
    user = member(project, role)

    rest = api(user).post(f"/api/v1/assets/{via_rest.id}/reviews/", {"decision": "approve"}, format="json").status_code == 201
    admin = admin_decides(client, user, via_admin)

    assert rest == admin == (role in ("owner", "reviewer"))


def test_four_eyes_stops_the_maker_approving_over_rest_and_admin(api, client, project, reviewer):
    own = stored_asset(project, user=reviewer)
    response = api(reviewer).post(f"/api/v1/assets/{own.id}/reviews/", {"decision": "approve"}, format="json")
    assert response.status_code == 403 and "Four-eyes" in response.json()["error"]["message"]
    assert not admin_decides(client, reviewer, stored_asset(project, user=reviewer))
    # Rejecting one's own work is still allowed.
    assert api(reviewer).post(f"/api/v1/assets/{own.id}/reviews/", {"decision": "reject", "comment": "redo"}, format="json").status_code == 201


def test_owner_sets_the_policy(api, project, owner, editor, reviewer):
    url = f"/api/v1/projects/{project.id}/review-policy/"
    assert api(owner).get(url).json() == {"decider_roles": ["reviewer", "owner"], "four_eyes": True, "approvals_required": 1, "checks_must_pass": False, "guests_count": False, "editors_share_links": False}
    assert api(reviewer).patch(url, {"four_eyes": False}, format="json").status_code == 403
    response = api(owner).patch(url, {"decider_roles": ["editor", "reviewer"], "approvals_required": 2}, format="json")
    assert response.status_code == 200 and response.json()["approvals_required"] == 2
    assert api(owner).patch(url, {"approvals_required": 9}, format="json").json()["error"]["field"] == "approvals_required"

    asset = stored_asset(project, user=owner)
    first = api(editor).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")
    assert first.status_code == 201 and first.json()["review_status"] == "pending"  # one of two approvals
    second = api(reviewer).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")
    assert second.json()["review_status"] == "approved"
    assert api(owner).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json").status_code == 403


def test_admin_lists_only_projects_where_the_user_may_review(client, project, reviewer, editor):
    other = ProjectFactory()
    member(other, "viewer", username=None)
    from apps.projects.models import Membership

    Membership.objects.create(project=other, user=reviewer, role="viewer")  # member there, but may not review
    mine, theirs = stored_asset(project), stored_asset(other)
    reviewer.is_staff = True
    reviewer.save()
    client.force_login(reviewer)
    page = client.get("/admin/assets/asset/").content.decode()
    assert str(mine.id) in page and str(theirs.id) not in page


def test_admin_bulk_approve_writes_one_decision_per_asset(client, project, reviewer, editor):
    assets = [stored_asset(project, user=editor) for _ in range(3)]
    assert admin_decides(client, reviewer, assets[0])
    client.post("/admin/assets/asset/", {"action": "approve_selected", "_selected_action": [str(a.id) for a in assets]})
    assert Review.objects.filter(reviewer=reviewer).count() == 4
    for asset in assets:
        asset.refresh_from_db()
        assert asset.review_status == "approved"


@pytest.mark.parametrize(
    ("log", "required", "status"),
    [
        ([], 1, "pending"),
        ([(1, "approve")], 1, "approved"),
        ([(1, "approve")], 2, "pending"),
        ([(1, "approve"), (1, "approve")], 2, "pending"),
        ([(2, "approve"), (1, "approve")], 2, "approved"),
        ([(1, "reject"), (2, "approve")], 1, "rejected"),
        ([(2, "approve"), (1, "request_changes")], 1, "approved"),
        ([(1, "request_changes")], 1, "changes_requested"),
    ],
)
def test_status_follows_from_the_log(log, required, status):
    assert status_from_log(log, required) == status
