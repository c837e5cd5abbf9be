"""Notifications: who hears of what (events from the other apps' signals), settings over REST and
on the page, the one-click unsubscribe without signing in, the bell and the notifications page,
and that nobody reads or marks another person's notifications."""

import re

import pytest
from django.core import mail

from apps.approvals.services import comment_create, review_decide
from apps.generations.models import Generation
from apps.generations.signals import job_finished
from apps.workflow import notifications
from apps.workflow.models import Event, Notification, NotificationSettings
from tests.factories import asset_check
from tests.workflow.helpers import assets, team

pytestmark = pytest.mark.django_db


def texts(user, event=None):
    rows = Notification.objects.filter(user=user)
    return [n.text for n in (rows.filter(event=event) if event else rows)]


def test_a_mention_reaches_the_mentioned_at_once_by_email(project, django_capture_on_commit_callbacks):
    people = team(project)
    [asset] = assets(project, people["editor"])

    with django_capture_on_commit_callbacks(execute=True):
        comment_create(user=people["eddie" if False else "editor"], asset=asset, body="@rita can you check the logo? @olga fyi")

    assert len(texts(people["rita"], Event.MENTIONED)) == 1 and len(texts(people["owner"], Event.MENTIONED)) == 1
    assert texts(people["editor"]) == []  # not told of one's own comment
    [to_rita] = [m for m in mail.outbox if m.to == ["rita@example.com"]]
    assert "eddie mentioned you" in to_rita.subject and "/assets/" in to_rita.body
    assert to_rita.alternatives[0][1] == "text/html"
    assert re.match(r"<http://localhost:8000/notifications/unsubscribe/[^>]+/>$", to_rita.extra_headers["List-Unsubscribe"])


def test_a_decision_tells_the_maker_and_failing_checks_tell_maker_and_assignees(project, django_capture_on_commit_callbacks):
    from apps.checks.models import AssetCheck
    from apps.checks.signals import asset_checked
    from apps.workflow.services import assignment_create

    people = team(project)
    first, second = assets(project, people["editor"], 2)
    with django_capture_on_commit_callbacks(execute=True):
        review_decide(user=people["rita"], asset=first, decision="reject", comment="Logo is cut off")
    assert texts(people["editor"], Event.DECISION) == [f"rita decided “Reject” on {first.display_title}; it is now rejected."]
    assert texts(people["rita"]) == []

    assignment_create(user=people["owner"], project=project, assets=[second], assignees=[people["raj"]])
    check = asset_check(second, failed=("logo",))
    asset_checked.send(sender=AssetCheck, check=check)
    assert len(texts(people["editor"], Event.CHECKS_FAILED)) == 1 and len(texts(people["raj"], Event.CHECKS_FAILED)) == 1
    assert texts(people["rosa"]) == []


def test_a_guests_decision_tells_the_maker_and_completes_no_members_part(project, django_capture_on_commit_callbacks):
    from apps.approvals.services import review_decide_as_guest
    from apps.workflow.models import AssignmentItem
    from apps.workflow.services import assignment_create

    people = team(project)
    [asset] = assets(project, people["editor"])
    assignment_create(user=people["owner"], project=project, assets=[asset], assignees=[people["rita"]])
    guest = {"name": "Bea Blau", "email": "bea@agency.example", "link": "Agency Blau", "link_id": 1}

    with django_capture_on_commit_callbacks(execute=True):
        review_decide_as_guest(guest=guest, asset=asset, decision="approve")  # a guest's approval does not count by default

    assert texts(people["editor"], Event.DECISION) == [f"Guest Bea Blau decided “Approve” on {asset.display_title}; it is now pending."]
    assert AssignmentItem.objects.get(asset=asset).done_at is None  # rita still owes her decision


def test_a_failed_job_tells_its_maker_and_a_finished_stage_its_runner(project):
    people = team(project)
    job = Generation.objects.create(project=project, prompt="a kite at dusk", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1",
                                    image_size="1K", created_by=people["editor"], status="failed", error_code="safety_block", error_message="Blocked by safety filters.")
    job_finished.send(sender=Generation, generation=job, status="failed")
    job_finished.send(sender=Generation, generation=job, status="succeeded")
    assert texts(people["editor"]) == ["Your job “a kite at dusk” failed: Blocked by safety filters."]


def test_settings_over_rest_and_validation(api, project):
    people = team(project)
    client = api(people["rita"])

    default = client.get("/api/v1/me/notifications/").json()
    changed = client.patch("/api/v1/me/notifications/", {"time_zone": "Europe/Berlin", "digest_hour": 7, "events": {"decision": "off"}}, format="json")
    bad_zone = client.patch("/api/v1/me/notifications/", {"time_zone": "Mars/Olympus"}, format="json")
    bad_hour = client.patch("/api/v1/me/notifications/", {"digest_hour": 24}, format="json")
    bad_delivery = client.patch("/api/v1/me/notifications/", {"events": {"mentioned": "weekly"}}, format="json")

    assert default == {"time_zone": "UTC", "digest_hour": 9, "events": {
        "assigned": "immediately", "mentioned": "immediately", "decision": "hourly", "job_failed": "hourly", "stage_finished": "hourly",
        "checks_failed": "hourly", "due_soon": "immediately", "due": "immediately", "overdue": "daily", "rights_expiring": "immediately"}}
    assert changed.status_code == 200 and changed.json()["events"]["decision"] == "off" and changed.json()["digest_hour"] == 7
    assert bad_zone.status_code == 400 and "time_zone" in str(bad_zone.json())
    assert bad_hour.status_code == 400 and "0 to 23" in str(bad_hour.json())
    assert bad_delivery.status_code == 400 and "weekly" in str(bad_delivery.json())
    assert api().get("/api/v1/me/notifications/").status_code in (401, 403)
    assert notifications.notify(user=people["rita"], event=Event.DECISION, url="/", text="x") is None  # off: nothing at all


def test_the_unsubscribe_link_turns_off_exactly_that_event_without_signing_in(client, project, django_capture_on_commit_callbacks):
    people = team(project)
    notifications.settings_update(user=people["rita"], events={"overdue": "hourly"})
    with django_capture_on_commit_callbacks(execute=True):
        notifications.notify(user=people["rita"], event=Event.MENTIONED, project=project, url="/", text="eddie mentioned you")
    link = mail.outbox[-1].extra_headers["List-Unsubscribe"].strip("<>").removeprefix("http://localhost:8000")

    shown = client.get(link)  # a link scanner fetching it changes nothing
    assert shown.status_code == 200 and "Mentioned in a comment" in shown.content.decode()
    assert notifications.settings_for(people["rita"]).delivery("mentioned") == "immediately"

    done = client.post(link)  # what the button and mail clients (List-Unsubscribe-Post) do

    assert done.status_code == 200 and "no more notifications" in done.content.decode()
    assert NotificationSettings.objects.get(user=people["rita"]).deliveries() == {
        **notifications.settings_for(people["raj"]).deliveries(), "mentioned": "off", "overdue": "hourly"}
    assert notifications.settings_for(people["raj"]).delivery("mentioned") == "immediately"
    assert client.post(link[:-6] + "AAAAA/").status_code == 404  # tampered: refused
    assert client.get("/notifications/unsubscribe/not-a-token/").status_code == 404


def test_the_bell_the_page_and_marking_read_are_ones_own(client, project):
    people = team(project)
    mine = [notifications.notify(user=people["rita"], event=Event.ASSIGNED, project=project, url=f"/projects/{project.pk}/", text=f"item {n}")
            for n in range(3)]
    theirs = notifications.notify(user=people["raj"], event=Event.ASSIGNED, project=project, url="/", text="RAJ-ONLY")
    client.force_login(people["rita"])

    page = client.get("/notifications/").content.decode()
    assert "item 0" in page and "RAJ-ONLY" not in page
    assert 'data-count="3"' in client.get("/notifications/bell/").content.decode()
    assert 'data-count="3"' in client.get(f"/projects/{project.pk}/").content.decode()  # the bell is in every page's header

    opened = client.get(f"/notifications/{mine[0].pk}/")
    assert opened.status_code == 302 and opened["Location"] == f"/projects/{project.pk}/"
    assert client.post(f"/notifications/{mine[1].pk}/read/").status_code == 302
    assert 'data-count="1"' in client.get("/notifications/bell/").content.decode()
    assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
    assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
    client.post("/notifications/read-all/")
    assert 'data-count="0"' in client.get("/notifications/bell/").content.decode()
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_settings_page_saves(client, project):
    people = team(project)
    client.force_login(people["rita"])
    page = client.get("/notifications/settings/").content.decode()
    assert "Mentioned in a comment" in page and "Daily digest at" in page
    form = {"time_zone": "Asia/Tokyo", "digest_hour": "8", **{f"event_{e}": "daily" for e in Event.values}, "event_assigned": "off"}

    assert client.post("/notifications/settings/", form).status_code == 302
    row = NotificationSettings.objects.get(user=people["rita"])
    assert (row.time_zone, row.digest_hour, row.delivery("assigned"), row.delivery("mentioned")) == ("Asia/Tokyo", 8, "off", "daily")
    assert client.post("/notifications/settings/", {**form, "time_zone": "Nowhere/Land"}).status_code == 400
