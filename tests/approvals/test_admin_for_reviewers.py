"""Reviewers work in the admin without anyone making them staff: a deciding role is the key."""

import pytest

from apps.approvals.models import ReviewPolicy
from tests.factories import ProjectFactory, UserFactory, member, stored_asset

pytestmark = pytest.mark.django_db


def _log_in(client, user):
    return client.post("/admin/login/?next=/admin/", {"username": user.username, "password": "pw-for-tests"})


def test_a_reviewer_who_is_not_staff_logs_in_and_sees_only_assets_and_reviews(client, project):
    reviewer = member(project, "reviewer")
    assert not reviewer.is_staff
    assert _log_in(client, reviewer).status_code == 302
    index = client.get("/admin/").content.decode()
    assert "/admin/assets/asset/" in index and "/admin/approvals/review/" in index
    assert "/admin/projects/" not in index and "/admin/generations/" not in index and "/admin/auth/" not in index


@pytest.mark.parametrize("role", ["editor", "viewer"])
def test_a_role_that_may_not_decide_is_told_so_at_the_admin_login(client, project, role):
    user = member(project, role)
    response = _log_in(client, user)
    assert response.status_code == 200
    assert "may not decide reviews in any project" in response.content.decode()
    assert client.get("/admin/").status_code == 302  # back to the login


def test_an_owner_who_opens_review_to_editors_lets_them_in_at_once(client, project):
    editor = member(project, "editor")
    ReviewPolicy.objects.create(project=project, decider_roles=["editor", "owner"])
    assert _log_in(client, editor).status_code == 302


def test_the_admin_list_shows_title_status_kind_and_only_projects_the_reviewer_decides_in(client, project):
    reviewer = member(project, "reviewer")
    mine = stored_asset(project)
    mine.title = "Hero bottle"
    mine.save()
    theirs = stored_asset(ProjectFactory())
    client.force_login(reviewer)
    listing = client.get("/admin/assets/asset/").content.decode()
    assert "Hero bottle" in listing and "Pending" in listing and "Upload" in listing
    assert "NonexNone" not in listing and "image/png" not in listing
    assert str(theirs.pk) not in listing
    assert client.get(f"/admin/assets/asset/{theirs.pk}/change/").status_code == 404


def test_a_non_staff_reviewer_approves_and_rejects_in_the_admin(client, project):
    reviewer = member(project, "reviewer")
    maker = UserFactory()
    first, second = stored_asset(project, user=maker), stored_asset(project, user=maker)
    client.force_login(reviewer)
    form = {"reviews-TOTAL_FORMS": 0, "reviews-INITIAL_FORMS": 0}
    client.post(f"/admin/assets/asset/{first.pk}/change/", {**form, "decision": "approve", "comment": ""})
    client.post(f"/admin/assets/asset/{second.pk}/change/", {**form, "decision": "reject", "comment": "Logo misspelled"})
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review_status, second.review_status) == ("approved", "rejected")


def test_the_admin_refuses_a_comment_over_the_limit_the_pages_and_api_have(client, project):
    from apps.approvals.models import COMMENT_MAX_CHARS, Review

    reviewer = member(project, "reviewer")
    asset = stored_asset(project, user=UserFactory())
    client.force_login(reviewer)
    form = {"reviews-TOTAL_FORMS": 0, "reviews-INITIAL_FORMS": 0}
    response = client.post(f"/admin/assets/asset/{asset.pk}/change/", {**form, "decision": "reject", "comment": "x" * (COMMENT_MAX_CHARS + 1)})

    assert response.status_code == 200 and f"at most {COMMENT_MAX_CHARS} characters" in response.content.decode()
    assert not Review.objects.exists()


def test_admin_home_says_how_many_wait_and_the_list_opens_on_pending(client, project):
    """Issue 28 item 15."""
    from apps.approvals.models import Review

    reviewer, maker = member(project, "reviewer"), UserFactory()
    waiting = [stored_asset(project, user=maker) for _ in range(3)]
    done = stored_asset(project, user=maker)
    done.title = "Already approved one"
    done.review_status = "approved"
    done.save()
    Review.objects.create(asset=done, reviewer=reviewer, decision="approve")
    client.force_login(reviewer)
    home = client.get("/admin/").content.decode()
    assert "3</strong> assets wait for your review" in home and "/admin/assets/asset/?status=pending" in home
    listing = client.get("/admin/assets/asset/").content.decode()
    assert all(str(a.pk) in listing for a in waiting) and "Already approved one" not in listing
    everything = client.get("/admin/assets/asset/", {"status": "all"}).content.decode()
    assert "Already approved one" in everything
    assert "Already approved one" in client.get("/admin/assets/asset/", {"status": "approved"}).content.decode()


def test_the_change_page_decides_from_buttons_at_the_top_with_the_comment_rule(client, project):
    from apps.approvals.models import Review

    reviewer, maker = member(project, "reviewer"), UserFactory()
    first, second = stored_asset(project, user=maker), stored_asset(project, user=maker)
    client.force_login(reviewer)
    url = f"/admin/assets/asset/{first.pk}/change/"
    page = client.get(url).content.decode()
    assert page.index('id="decide"') < page.index('alt="preview"')
    assert all(f'name="decision" value="{d}"' in page for d in ("approve", "reject", "request_changes"))
    form = {"reviews-TOTAL_FORMS": 0, "reviews-INITIAL_FORMS": 0}
    refused = client.post(url, {**form, "decision": "reject", "comment": "  "})
    assert refused.status_code == 200 and "A comment is required to reject" in refused.content.decode() and not Review.objects.exists()
    done = client.post(url, {**form, "decision": "reject", "comment": "Logo misspelled"})
    assert done.status_code == 302 and done["Location"] == f"/admin/assets/asset/{second.pk}/change/"  # on to the next pending one
    first.refresh_from_db()
    assert first.review_status == "rejected"


def test_bulk_reject_asks_for_the_comment_and_confirms(client, project):
    from apps.approvals.models import Review

    reviewer, maker = member(project, "reviewer"), UserFactory()
    assets = [stored_asset(project, user=maker) for _ in range(2)]
    client.force_login(reviewer)
    selection = {"action": "reject_selected", "_selected_action": [str(a.pk) for a in assets]}
    asked = client.post("/admin/assets/asset/", selection)
    assert asked.status_code == 200 and "Yes, reject 2" in asked.content.decode() and not Review.objects.exists()
    empty = client.post("/admin/assets/asset/", {**selection, "confirm": "yes", "comment": ""})
    assert "Write the comment that goes with these decisions" in empty.content.decode() and not Review.objects.exists()
    client.post("/admin/assets/asset/", {**selection, "confirm": "yes", "comment": "Wrong logo colour"})
    assert sorted(Review.objects.values_list("decision", "comment")) == [("reject", "Wrong logo colour")] * 2
