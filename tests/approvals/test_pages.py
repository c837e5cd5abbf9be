import pytest
from django.urls import reverse

from apps.approvals.models import Review
from tests.factories import member, stored_asset

pytestmark = pytest.mark.django_db


def test_reviewer_works_through_the_queue_oldest_first(client, project, reviewer):
    editor = member(project, "editor")
    first, second = stored_asset(project, user=editor), stored_asset(project, user=editor)
    client.force_login(reviewer)
    url = reverse("review-queue", args=[project.pk])
    page = client.get(url)
    assert page.context["asset"] == first and page.context["waiting"] == 2
    response = client.post(url, {"asset": str(first.pk), "decision": "approve"})
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.review_status == "approved"
    assert client.get(url).context["asset"] == second


def test_rejecting_without_a_comment_is_refused_next_to_the_comment(client, project, reviewer):
    asset = stored_asset(project, user=member(project, "editor"))
    client.force_login(reviewer)
    response = client.post(reverse("review-queue", args=[project.pk]), {"asset": str(asset.pk), "decision": "reject"})
    assert response.status_code == 400
    assert 'id="id_comment_error"' in response.content.decode()
    assert not Review.objects.exists()


def test_four_eyes_keeps_my_own_work_out_of_my_queue_and_explains_on_the_asset_page(client, project, owner):
    mine = stored_asset(project, user=owner)
    client.force_login(owner)
    assert client.get(reverse("review-queue", args=[project.pk])).context["asset"] is None
    page = client.get(reverse("asset-page", args=[mine.pk])).content.decode()
    assert "Four-eyes rule" in page and 'value="approve"' not in page
    response = client.post(reverse("asset-page", args=[mine.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_decide_from_the_asset_page_and_see_the_history(client, project, reviewer):
    asset = stored_asset(project, user=member(project, "editor"))
    client.force_login(reviewer)
    response = client.post(reverse("asset-page", args=[asset.pk]), {"decision": "request_changes", "comment": "logo too small"}, follow=True)
    page = response.content.decode()
    assert "Changes requested" in page and "logo too small" in page


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_roles_that_may_not_decide_have_no_review_page_link_and_are_refused(client, project, role):
    asset = stored_asset(project, user=member(project, "owner"))
    user = member(project, role)
    client.force_login(user)
    home = client.get(reverse("project-home", args=[project.pk])).content.decode()
    assert reverse("review-queue", args=[project.pk]) not in home
    response = client.post(reverse("asset-page", args=[asset.pk]), {"decision": "approve"})
    assert response.status_code == 403
    assert not Review.objects.exists()
