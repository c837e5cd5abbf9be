"""Issue 29 item 4: a key's decisions are its maker's, for four-eyes and for distinct approvers.
An owner cannot approve their own work with reviewer keys they minted."""

import pytest

from apps.approvals.selectors import review_queue
from apps.assets.models import Asset
from tests.apikeys.test_api_keys import create_key, with_key
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


def two_approvals_four_eyes(api, project, owner):
    response = api(owner).patch(
        f"/api/v1/projects/{project.id}/review-policy/",
        {"decider_roles": ["owner", "reviewer"], "four_eyes": True, "approvals_required": 2}, format="json",
    )
    assert response.status_code == 200, response.json()


def test_two_reviewer_keys_minted_by_the_maker_cannot_approve_their_work(api, project, owner, reviewer):
    two_approvals_four_eyes(api, project, owner)
    asset = stored_asset(project, user=owner)
    url = f"/api/v1/assets/{asset.id}/reviews/"
    for name in ("key one", "key two"):
        key = with_key(create_key(api, owner, project, role="reviewer", name=name)["key"])
        refused = key.post(url, {"decision": "approve"}, format="json")
        assert refused.status_code == 403 and "Four-eyes" in refused.json()["error"]["message"]
    assert Asset.objects.get(pk=asset.pk).review_status == "pending"
    assert api(reviewer).post(url, {"decision": "approve"}, format="json").json()["review_status"] == "pending"  # one person so far


def test_a_key_and_its_maker_count_as_one_approver(api, project, owner, reviewer, editor):
    two_approvals_four_eyes(api, project, owner)
    asset = stored_asset(project, user=editor)
    url = f"/api/v1/assets/{asset.id}/reviews/"
    key = with_key(create_key(api, owner, project, role="reviewer")["key"])
    assert api(owner).post(url, {"decision": "approve"}, format="json").json()["review_status"] == "pending"
    assert key.post(url, {"decision": "approve"}, format="json").json()["review_status"] == "pending"  # the owner again
    assert api(reviewer).post(url, {"decision": "approve"}, format="json").json()["review_status"] == "approved"


def test_work_a_key_made_is_its_makers_for_four_eyes(api, project, owner):
    two_approvals_four_eyes(api, project, owner)
    from apps.apikeys.models import ApiKey

    created = create_key(api, owner, project, role="editor")
    asset = stored_asset(project, user=ApiKey.objects.get(pk=created["id"]).principal)
    refused = api(owner).post(f"/api/v1/assets/{asset.id}/reviews/", {"decision": "approve"}, format="json")
    assert refused.status_code == 403 and "Four-eyes" in refused.json()["error"]["message"]
    assert asset not in review_queue(project=project, user=owner)  # not offered to the owner to review either
