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


def test_the_queue_moves_on_at_once_and_undo_takes_the_decision_back_audited(client, project, reviewer, settings):
    """Issue 28 item 12: no 4-second hold; the next asset shows with an Undo toast, and Undo is a
    server-side take-back of one's own latest decision within REVIEW_UNDO_SECONDS, kept in the audit log."""
    from apps.audit.models import AuditEvent
    from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["asset.review_changed"])
    editor = member(project, "editor")
    first, second = stored_asset(project, user=editor), stored_asset(project, user=editor)
    client.force_login(reviewer)
    url = reverse("review-queue", args=[project.pk])
    response = client.post(url, {"asset": str(first.pk), "decision": "approve"})
    [review] = Review.objects.all()
    assert response.status_code == 302 and response["Location"] == f"{url}?undo={review.pk}"
    page = client.get(response["Location"])
    assert page.context["asset"] == second
    html = page.content.decode()
    assert 'id="undo-toast"' in html and reverse("review-undo", args=[review.pk]) in html and "Approved: “" in html

    undone = client.post(reverse("review-undo", args=[review.pk]))
    assert undone.status_code == 302 and undone["Location"] == f"{url}?show={first.pk}"
    first.refresh_from_db()
    assert first.review_status == "pending" and not Review.objects.exists()
    assert client.get(undone["Location"]).context["asset"] == first  # that one again, to decide anew
    [event] = AuditEvent.objects.filter(action="review.undone")
    assert event.actor == reviewer and event.before["decision"] == "approve" and event.after == {"asset": str(first.pk), "review_status": "pending"}
    payloads = [d.payload["data"] for d in WebhookDelivery.objects.all()]
    assert sorted((p["review_status"], p.get("undone", False)) for p in payloads) == [("approved", False), ("pending", True)]


def test_undo_is_refused_late_after_a_later_decision_and_for_someone_elses_decision(client, project, reviewer, owner):
    from datetime import timedelta

    from django.utils import timezone

    asset = stored_asset(project, user=member(project, "editor"))
    client.force_login(reviewer)
    url = reverse("review-queue", args=[project.pk])
    client.post(url, {"asset": str(asset.pk), "decision": "request_changes", "comment": "Darker apron"})
    [review] = Review.objects.all()
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now() - timedelta(seconds=60))
    late = client.post(reverse("review-undo", args=[review.pk]), follow=True)
    assert "Undo is possible for 15 seconds after a decision; this one was 60 seconds ago" in late.content.decode()
    assert Review.objects.count() == 1 and "undo=" not in client.get(f"{url}?undo={review.pk}").content.decode()

    asset.review_status = "pending"
    asset.save()
    Review.objects.filter(pk=review.pk).update(created_at=timezone.now())
    Review.objects.create(asset=asset, reviewer=owner, decision="approve")
    later = client.post(reverse("review-undo", args=[review.pk]), follow=True)
    assert "only the latest can be undone" in later.content.decode() and Review.objects.count() == 2

    client.force_login(owner)
    assert client.post(reverse("review-undo", args=[review.pk])).status_code == 404
    assert Review.objects.count() == 2


def test_deciders_see_review_first_on_the_asset_page_with_a_decide_bar_others_do_not(client, project, reviewer):
    """Issue 28 item 13: the decision comes before Make more and Refine for those who may decide."""
    editor = member(project, "editor")
    asset = stored_asset(project, user=editor)
    client.force_login(reviewer)
    html = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
    assert html.index('id="review-heading"') < html.index("Decision history") and 'class="decide-bar"' in html
    assert 'form="decision-form" name="decision" value="approve"' in html
    client.force_login(editor)
    html = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
    assert html.index("Make more from it") < html.index("Decision history")
    assert 'id="review-heading"' not in html and 'class="decide-bar"' not in html and 'id="decision-form"' not in html
