"""Due-date reminders and digests with a frozen clock: reminders only to assignees who have not
decided, once per point; a daily digest once at the person's hour in their time zone; two
schedulers send one digest; a failing mail server is retried with backoff and the digest arrives once."""

from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.core import mail

from apps.approvals.services import review_decide, review_policy_update
from apps.workflow import notifications, services
from apps.workflow.models import Digest, Event, Notification, Reminder
from tests.workflow.helpers import assets, team

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 2, 8, 0, tzinfo=dt_timezone.utc)


def tick(now):
    """One scheduler pass at `now`, as beat runs it."""
    with time_machine.travel(now, tick=False):
        services.reminders_run(now=now)
        notifications.digests_run(now=now)


def test_three_assignees_one_decides_two_reminders_at_each_point(project, django_capture_on_commit_callbacks):
    people = team(project)
    review_policy_update(project=project, approvals_required=3)  # one approval leaves the asset waiting for the others
    due = START + timedelta(days=3)
    with time_machine.travel(START, tick=False):
        [asset] = assets(project, people["editor"])
        assignment = services.assignment_create(user=people["owner"], project=project, assets=[asset], due_at=due,
                                                assignees=[people["rita"], people["raj"], people["rosa"]])
        with django_capture_on_commit_callbacks(execute=True):
            review_decide(user=people["rita"], asset=asset, decision="approve")
    mail.outbox.clear()

    points = [(due - timedelta(hours=23), Event.DUE_SOON), (due, Event.DUE), (due + timedelta(days=1, hours=1), Event.OVERDUE)]
    for when, event in points:
        tick(when)
        tick(when + timedelta(minutes=5))  # a second pass at the same point adds nothing
        reminded = sorted(Reminder.objects.filter(assignment=assignment, event=event).values_list("assignee__username", flat=True))
        assert reminded == ["raj", "rosa"], (event, reminded)
        told = sorted(Notification.objects.filter(event=event).values_list("user__username", flat=True))
        assert told == ["raj", "rosa"], (event, told)

    # Due soon and due are emailed at once (the defaults); overdue comes in the daily digest at 9:00.
    subjects = sorted((m.to[0], m.subject.split(":")[0]) for m in mail.outbox if m.subject.startswith(("Due", "Daily")))
    assert subjects == [("raj@example.com", "Daily digest"), ("raj@example.com", "Due now"), ("raj@example.com", "Due within 24 hours"),
                        ("rosa@example.com", "Daily digest"), ("rosa@example.com", "Due now"), ("rosa@example.com", "Due within 24 hours")]
    assert "Overdue" in next(m.body for m in mail.outbox if m.subject.startswith("Daily digest"))
    assert not [m for m in mail.outbox if m.to == ["rita@example.com"] and m.subject.startswith(("Due", "Daily"))]  # she decided

    # The next day, still undecided: overdue again; once raj decides, only rosa hears.
    with time_machine.travel(due + timedelta(days=2), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            review_decide(user=people["raj"], asset=asset, decision="approve")
    tick(due + timedelta(days=2, hours=1))
    assert sorted(Reminder.objects.filter(event=Event.OVERDUE).values_list("assignee__username", "key")) == [
        ("raj", "20260305T0800+1"), ("rosa", "20260305T0800+1"), ("rosa", "20260305T0800+2")]


def test_reminders_stop_when_the_asset_is_decided_as_the_policy_requires(project, django_capture_on_commit_callbacks):
    people = team(project)
    due = START + timedelta(days=1)
    with time_machine.travel(START, tick=False):
        [asset] = assets(project, people["editor"])
        assignment = services.assignment_create(user=people["owner"], project=project, assets=[asset], due_at=due,
                                                assignees=[people["rita"], people["raj"]])
        with django_capture_on_commit_callbacks(execute=True):
            review_decide(user=people["rita"], asset=asset, decision="approve")  # one approval is the default policy
    tick(due)
    assert Reminder.objects.count() == 0
    assignment.refresh_from_db()
    assert assignment.completed_at is not None


def _daily_settings(user, hour=9, time_zone="Asia/Tokyo"):
    notifications.settings_update(user=user, time_zone=time_zone, digest_hour=hour, events={event: "daily" for event in Event.values})


def test_five_events_on_daily_digests_make_one_email_at_their_hour(project, django_capture_on_commit_callbacks):
    people = team(project)
    rita = people["rita"]
    _daily_settings(rita)  # 09:00 in Tokyo is 00:00 UTC
    with time_machine.travel(datetime(2026, 3, 2, 12, 0, tzinfo=dt_timezone.utc), tick=False):
        for n in range(5):
            notifications.notify(user=rita, event=Event.MENTIONED, project=project, url="/notifications/", text=f"event number {n + 1}")

    tick(datetime(2026, 3, 2, 23, 59, tzinfo=dt_timezone.utc))  # 08:59 in Tokyo: not yet
    assert mail.outbox == []
    tick(datetime(2026, 3, 3, 0, 0, tzinfo=dt_timezone.utc))  # 09:00 in Tokyo
    tick(datetime(2026, 3, 3, 0, 1, tzinfo=dt_timezone.utc))
    tick(datetime(2026, 3, 3, 5, 0, tzinfo=dt_timezone.utc))

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rita@example.com"] and message.subject == "Daily digest: 5 updates"
    assert [line for line in message.body.splitlines() if "event number" in line].__len__() == 5
    html = message.alternatives[0][0]
    assert all(f"event number {n}" in html for n in range(1, 6))
    assert message.extra_headers["List-Unsubscribe"].startswith("<http") and message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert Digest.objects.filter(user=rita, period="daily").count() == 1


def test_two_schedulers_send_one_digest(project):
    people = team(project)
    rita = people["rita"]
    _daily_settings(rita, hour=9, time_zone="UTC")
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=dt_timezone.utc), tick=False):
        notifications.notify(user=rita, event=Event.DECISION, project=project, url="/", text="a decision")
    at_nine = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)
    with time_machine.travel(at_nine, tick=False):
        first = notifications.digests_open(now=at_nine)
        second = notifications.digests_open(now=at_nine)  # the other scheduler, same minute
        assert len(first) == 1 and second == []
        sent = [notifications.digest_send(first[0].pk, now=at_nine), notifications.digest_send(first[0].pk, now=at_nine)]
    assert sent == [True, False]
    assert len(mail.outbox) == 1


def test_a_failing_mail_server_then_a_working_one_delivers_the_digest_once(project, settings):
    people = team(project)
    rita = people["rita"]
    _daily_settings(rita, hour=9, time_zone="UTC")
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=dt_timezone.utc), tick=False):
        for n in range(3):
            notifications.notify(user=rita, event=Event.JOB_FAILED, project=project, url="/", text=f"job {n} failed")
    nine = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)

    settings.EMAIL_BACKEND = "tests.workflow.helpers.FailingMailServer"
    tick(nine)
    tick(nine + timedelta(minutes=1))  # the first retry waits one minute
    digest = Digest.objects.get(user=rita, period="daily")
    assert (digest.status, digest.attempts) == ("pending", 2) and "ConnectionRefusedError" in digest.last_error
    assert digest.next_attempt_at == nine + timedelta(minutes=3)  # backed off: 1, then 2 minutes

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    tick(nine + timedelta(minutes=2))  # too early for the retry: nothing
    assert mail.outbox == []
    tick(nine + timedelta(minutes=3))
    tick(nine + timedelta(minutes=30))
    tick(nine + timedelta(days=1))  # the next day's digest has nothing new to send

    assert len(mail.outbox) == 1 and mail.outbox[0].subject == "Daily digest: 3 updates"
    digest.refresh_from_db()
    assert (digest.status, digest.attempts) == ("sent", 3)


def test_a_send_interrupted_mid_way_is_sent_after_its_lease(project):
    """A worker that died between claiming and marking sent leaves `sending`; the lease expires and the sweep sends it."""
    people = team(project)
    notification = notifications.notify(user=people["rita"], event=Event.ASSIGNED, project=project, url="/", text="assigned")
    digest = notification.digest
    now = digest.next_attempt_at
    Digest.objects.filter(pk=digest.pk).update(status="sending", claimed_until=now + notifications.SEND_LEASE, attempts=1)
    assert notifications.digests_run(now=now + timedelta(minutes=1)) == 0  # still leased: nobody touches it
    assert notifications.digests_run(now=now + notifications.SEND_LEASE + timedelta(seconds=1)) == 1
    assert len(mail.outbox) == 1
