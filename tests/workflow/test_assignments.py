"""Assigning reviews over REST and from the pages: who may assign whom, due dates, the filters,
changes and removal (audited), and a decision completing an assignee's part."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.approvals.services import review_decide, review_policy_update
from apps.audit.models import AuditEvent
from apps.workflow.models import Assignment, AssignmentItem, Notification
from apps.workflow import selectors
from tests.workflow.helpers import assets, team

pytestmark = pytest.mark.django_db


def later(**delta):
    return (timezone.now() + timedelta(**delta)).isoformat()


def test_an_editor_assigns_reviewers_with_a_due_date_and_they_are_told(api, project, django_capture_on_commit_callbacks):
    people = team(project)
    chosen = assets(project, people["editor"], 2)

    with django_capture_on_commit_callbacks(execute=True):
        response = api(people["editor"]).post(f"/api/v1/projects/{project.pk}/assignments/", {
            "assets": [str(a.pk) for a in chosen], "assignees": ["rita", str(people["raj"].pk)], "due_at": later(days=2), "note": "For Monday",
        }, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["assignees"] == ["raj", "rita"] and len(body["assets"]) == 2 and body["open"] == {"rita": 2, "raj": 2}
    assert AssignmentItem.objects.count() == 4
    told = sorted(Notification.objects.filter(event="assigned").values_list("user__username", flat=True))
    assert told == ["raj", "rita"]
    assert AuditEvent.objects.filter(project=project, action="assignment.created", actor_name="eddie").count() == 1


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"assignees": ["eddie"]}, "assignees", "may not decide reviews"),  # an editor: not a deciding role by default
    ({"assignees": ["stranger"]}, "assignees", "not a member"),
    ({"assignees": ["rita"], "due_at": "2020-01-01T10:00:00Z"}, "due_at", "in the past"),
    ({"assignees": ["rita"], "assets": []}, "assets", "at least one asset"),
    ({"assignees": ["rita"], "bogus": 1}, "bogus", "Unknown field"),
])
def test_refusals_name_the_field(api, project, body, field, words):
    people = team(project)
    [asset] = assets(project, people["editor"])
    body = {"assets": [str(asset.pk)], **body}

    response = api(people["owner"]).post(f"/api/v1/projects/{project.pk}/assignments/", body, format="json")

    assert response.status_code == 400, response.json()
    assert words in str(response.json()) and field in str(response.json())
    assert Assignment.objects.count() == 0


def test_reviewers_may_not_assign(api, project):
    people = team(project)
    [asset] = assets(project, people["editor"])
    response = api(people["rita"]).post(f"/api/v1/projects/{project.pk}/assignments/", {"assets": [str(asset.pk)], "assignees": ["raj"]}, format="json")
    assert response.status_code == 403 and "Allowed roles" in response.json()["error"]["message"]


def test_filters_waiting_on_me_overdue_and_assigned_by_me(api, project, django_capture_on_commit_callbacks):
    from apps.workflow.services import assignment_create

    people = team(project)
    first, second = assets(project, people["editor"], 2)
    soon = assignment_create(user=people["owner"], project=project, assets=[first], assignees=[people["rita"]], due_at=timezone.now() + timedelta(hours=1))
    assignment_create(user=people["editor"], project=project, assets=[second], assignees=[people["raj"]])
    Assignment.objects.filter(pk=soon.pk).update(due_at=timezone.now() - timedelta(minutes=5))  # its due date has passed
    url = f"/api/v1/projects/{project.pk}/assignments/"

    mine = api(people["rita"]).get(url, {"assigned_to": "me"}).json()
    overdue = api(people["raj"]).get(url, {"overdue": "true"}).json()
    by_me = api(people["editor"]).get(url, {"assigned_by": "me"}).json()

    assert [a["id"] for a in mine] == [str(soon.pk)] and [a["id"] for a in overdue] == [str(soon.pk)] and overdue[0]["overdue"]
    assert [a["created_by"] for a in by_me] == ["eddie"]
    assert api(people["rita"]).get(url, {"overdue": "maybe"}).status_code == 400
    assert selectors.counts(project=project, user=people["rita"]) == {"waiting": 1, "overdue": 1, "assigned_by_me": 0}

    with django_capture_on_commit_callbacks(execute=True):
        review_decide(user=people["rita"], asset=first, decision="approve")

    assert api(people["rita"]).get(url, {"assigned_to": "me"}).json() == []
    assert selectors.counts(project=project, user=people["rita"])["waiting"] == 0
    soon.refresh_from_db()
    assert soon.completed_at is not None


def test_a_decision_completes_only_the_deciders_part_under_a_two_approval_policy(project, django_capture_on_commit_callbacks):
    from apps.workflow.services import assignment_create

    people = team(project)
    review_policy_update(project=project, approvals_required=2)
    [asset] = assets(project, people["editor"])
    assignment = assignment_create(user=people["owner"], project=project, assets=[asset], assignees=[people["rita"], people["raj"], people["rosa"]])

    with django_capture_on_commit_callbacks(execute=True):
        review_decide(user=people["rita"], asset=asset, decision="approve")
    assert selectors.waiting_assets(project=project, user=people["rita"]).count() == 0
    assert selectors.waiting_assets(project=project, user=people["raj"]).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(user=people["raj"], asset=asset, decision="approve")  # approved now: rosa is no longer waited on

    assert selectors.waiting_assets(project=project, user=people["rosa"]).count() == 0
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert AuditEvent.objects.filter(action="assignment.completed").count() == 1


def test_change_due_date_and_assignees_then_remove(api, project):
    from apps.workflow.services import assignment_create

    people = team(project)
    [asset] = assets(project, people["editor"])
    assignment = assignment_create(user=people["owner"], project=project, assets=[asset], assignees=[people["rita"]])
    url = f"/api/v1/assignments/{assignment.pk}/"

    changed = api(people["editor"]).patch(url, {"due_at": later(days=1), "assignees": ["raj", "rosa"]}, format="json")

    assert changed.status_code == 200 and changed.json()["assignees"] == ["raj", "rosa"] and changed.json()["open"] == {"raj": 1, "rosa": 1}
    assert api(people["editor"]).patch(url, {"due_at": None}, format="json").json()["due_at"] is None
    assert api(people["rita"]).delete(url).status_code == 403
    assert api(people["owner"]).delete(url).status_code == 204
    assert not Assignment.objects.exists()
    assert list(AuditEvent.objects.filter(project=project).values_list("action", flat=True).order_by("id")) == [
        "assignment.created", "assignment.changed", "assignment.changed", "assignment.deleted"]


def test_assigning_a_campaign_stage_takes_its_outputs_and_later_ones(api, project):
    from tests.campaigns.helpers import campaign_body, library  # noqa: F401  (the helpers build a real campaign)

    people = team(project)
    from apps.campaigns.services import CampaignInput, campaign_create
    from tests.factories import LibraryEntryFactory

    product = LibraryEntryFactory(project=project, kind="object", name="Shoe")
    campaign = campaign_create(project=project, user=people["editor"], data=CampaignInput(name="Spring", products=[product.pk], scenes=["park"], formats=["1:1"]))

    response = api(people["owner"]).post(f"/api/v1/projects/{project.pk}/assignments/",
                                         {"campaign": str(campaign.pk), "stage": "drafts", "assignees": ["rita"], "due_at": later(days=3)}, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["stage"] == "drafts" and response.json()["assets"] == []  # nothing drafted yet
    assert selectors.stage_assignments(campaign)["drafts"][0].assignees.get().username == "rita"
    bad = api(people["owner"]).post(f"/api/v1/projects/{project.pk}/assignments/", {"campaign": str(campaign.pk), "stage": "nope", "assignees": ["rita"]}, format="json")
    assert bad.status_code == 400 and "stage" in str(bad.json())


def test_pages_assign_from_the_asset_page_and_show_waiting_on_me(client, project):
    people = team(project)
    [asset] = assets(project, people["editor"])
    client.force_login(people["editor"])
    page = client.get(f"/assets/{asset.pk}/").content.decode()
    assert "Assign reviewers" in page and 'name="assignees"' in page and "rita" in page and "eddie</label>" not in page

    response = client.post(f"/projects/{project.pk}/assign/", {"assets": [str(asset.pk)], "assignees": [str(people["rita"].pk)],
                                                             "due_at": "2099-01-02T17:30", "next": f"/assets/{asset.pk}/"})

    assert response.status_code == 302 and response["Location"] == f"/assets/{asset.pk}/"
    assignment = Assignment.objects.get()
    assert assignment.due_at.isoformat() == "2099-01-02T17:30:00+00:00"  # typed in the editor's time zone (UTC by default)
    client.force_login(people["rita"])
    waiting = client.get(f"/projects/{project.pk}/assignments/?view=waiting").content.decode()
    assert asset.display_title in waiting and "Waiting on me (1)" in waiting
    home = client.get(f"/projects/{project.pk}/").content.decode()
    assert 'data-count="waiting">1<' in home


def test_the_due_date_is_typed_and_shown_in_each_viewers_time_zone(client, project):
    from apps.workflow.notifications import settings_update

    people = team(project)
    settings_update(user=people["editor"], time_zone="Europe/Berlin")
    settings_update(user=people["rita"], time_zone="America/New_York")
    [asset] = assets(project, people["editor"])
    client.force_login(people["editor"])
    client.post(f"/projects/{project.pk}/assign/", {"assets": [str(asset.pk)], "assignees": [str(people["rita"].pk)], "due_at": "2099-07-01T18:00"})

    assert Assignment.objects.get().due_at.isoformat() == "2099-07-01T16:00:00+00:00"
    client.force_login(people["rita"])
    assert "2099-07-01 12:00" in client.get(f"/assets/{asset.pk}/").content.decode()  # 18:00 in Berlin is 12:00 in New York


def test_a_selection_from_the_gallery_is_assigned(client, project):
    people = team(project)
    chosen = assets(project, people["editor"], 3)
    client.force_login(people["owner"])
    gallery = client.get(f"/projects/{project.pk}/gallery/").content.decode()
    assert "Assign the selection" in gallery

    response = client.post(f"/projects/{project.pk}/assign/", {"assets": [str(a.pk) for a in chosen[:2]], "assignees": [str(people["raj"].pk)],
                                                             "next": f"/projects/{project.pk}/gallery/", "action": "", "comment": ""}, follow=True)

    assert "Assigned 2 assets to raj." in response.content.decode()
    assert AssignmentItem.objects.filter(assignee=people["raj"]).count() == 2


def test_a_page_refusal_is_a_message(client, project):
    people = team(project)
    [asset] = assets(project, people["editor"])
    client.force_login(people["owner"])
    response = client.post(f"/projects/{project.pk}/assign/", {"assets": [str(asset.pk)], "assignees": [str(people["rita"].pk)], "due_at": "2001-01-01T10:00"}, follow=True)
    assert "in the past" in response.content.decode()
    assert not Assignment.objects.exists()


def test_the_assigned_notification_is_read_once_ones_part_is_done(project, django_capture_on_commit_callbacks):
    from apps.workflow.services import assignment_create

    people = team(project)
    review_policy_update(project=project, approvals_required=2)
    first, second = assets(project, people["editor"], 2)
    with django_capture_on_commit_callbacks(execute=True):
        assignment_create(user=people["owner"], project=project, assets=[first, second], assignees=[people["rita"], people["raj"]])
    unread = lambda user: Notification.objects.filter(user=user, read_at__isnull=True).count()  # noqa: E731
    assert unread(people["rita"]) == unread(people["raj"]) == 1

    with django_capture_on_commit_callbacks(execute=True):
        review_decide(user=people["rita"], asset=first, decision="approve")
    assert unread(people["rita"]) == 1  # one asset still waits for her
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(user=people["rita"], asset=second, decision="approve")

    assert unread(people["rita"]) == 0 and unread(people["raj"]) == 1


def test_a_stage_with_drafts_is_assigned_and_shown_on_the_campaign_page(client, project, django_capture_on_commit_callbacks):
    from tests.workflow.helpers import campaign_with_drafts

    people = team(project)
    campaign = campaign_with_drafts(project, people["editor"], drafts=2)
    client.force_login(people["owner"])

    response = client.post(f"/projects/{project.pk}/assign/", {"campaign": str(campaign.pk), "stage": "drafts", "assignees": [str(people["rita"].pk)],
                                                             "due_at": "2099-05-01T10:00", "next": f"/campaigns/{campaign.pk}/"}, follow=True)

    page = response.content.decode()
    assert "Assigned 2 assets to rita." in page
    assert "Assigned to <strong>rita</strong> · due <time" in page and "2099-05-01 10:00" in page
    assert selectors.waiting_assets(project=project, user=people["rita"]).count() == 2


def test_the_admin_asset_list_filters_waiting_on_me(client, project):
    from apps.workflow.services import assignment_create

    people = team(project)
    first, second = assets(project, people["editor"], 2)
    assignment_create(user=people["owner"], project=project, assets=[first], assignees=[people["rita"]])
    people["rita"].is_staff = True
    people["rita"].save()
    client.force_login(people["rita"])

    page = client.get("/admin/assets/asset/?assigned=waiting").content.decode()

    assert "Waiting on me" in page
    assert str(first.pk) in page and str(second.pk) not in page


def test_a_finished_stage_adds_its_new_outputs_to_open_stage_assignments(project):
    from apps.campaigns.models import StageRun
    from apps.workflow.services import assignment_create, assignment_stage_grew
    from tests.workflow.helpers import campaign_with_drafts

    people = team(project)
    campaign = campaign_with_drafts(project, people["editor"], drafts=1)
    assignment = assignment_create(user=people["owner"], project=project, campaign=campaign, stage="drafts", assignees=[people["rita"]])
    assert assignment.items.count() == 1
    from apps.assets.models import Origin
    from apps.campaigns.models import CampaignJob
    from apps.generations.models import Generation
    from tests.factories import stored_asset

    run = StageRun.objects.filter(campaign=campaign).first()
    job = Generation.objects.create(project=project, prompt="another draft", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1",
                                    image_size="1K", created_by=people["editor"], status="succeeded")
    stored_asset(project, user=people["editor"], width=64, height=64, origin=Origin.GENERATED, generation=job)
    CampaignJob.objects.create(cell=campaign.cells.first(), stage="drafts", generation=job, stage_run=run)

    assert assignment_stage_grew(stage_run=run) == 1
    assert selectors.waiting_assets(project=project, user=people["rita"]).count() == 2
