"""Issue 27 on PostgreSQL: assignments, reminders and digests under concurrency. Two assignees
deciding at once complete their assignment once; schedulers racing each other send each digest and
each reminder once (the conditional inserts and conditional updates decide, not timing)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone as dt_timezone

import pytest
import time_machine
from django.core import mail
from django.db import connection

from apps.approvals.services import review_decide, review_policy_update
from apps.audit.models import AuditEvent
from apps.workflow import notifications, services
from apps.workflow.models import Assignment, Digest, Event, Notification, Reminder
from tests.factories import ProjectFactory, member, stored_asset

pytestmark = [pytest.mark.scale, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def send_inline():
    """Immediate emails go out in this process as their transaction commits (no worker here)."""
    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


def together(*calls):
    """Run the calls at once, each in its own thread and database connection; their outcomes."""
    barrier = threading.Barrier(len(calls))

    def run(call):
        try:
            barrier.wait()
            return call()
        except Exception as exc:  # an outcome like any other
            return exc
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def reviewers(project, *names):
    people = [member(project, "reviewer", name) for name in names]
    for person in people:
        person.email = f"{person.username}@example.com"
        person.save(update_fields=["email"])
    return people


def test_two_assignees_deciding_at_once_complete_the_assignment_once():
    for round_ in range(10):
        project = ProjectFactory()
        owner = member(project, "owner", f"owner{round_}")
        maker = member(project, "editor", f"maker{round_}")
        rita, raj = reviewers(project, f"rita{round_}", f"raj{round_}")
        review_policy_update(project=project, approvals_required=2)
        asset = stored_asset(project, user=maker, width=64, height=48)
        assignment = services.assignment_create(user=owner, project=project, assets=[asset], assignees=[rita, raj])

        outcomes = together(lambda: review_decide(user=rita, asset=asset, decision="approve"),
                            lambda: review_decide(user=raj, asset=asset, decision="approve"))

        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
        assignment.refresh_from_db()
        asset.refresh_from_db()
        assert asset.review_status == "approved", round_
        assert assignment.completed_at is not None, round_
        assert AuditEvent.objects.filter(project=project, action="assignment.completed").count() == 1, round_
        assert not assignment.items.filter(done_at__isnull=True).exists()


def test_concurrent_digest_runs_send_each_digest_once():
    project = ProjectFactory()
    people = reviewers(project, *[f"person{n}" for n in range(12)])
    for person in people:
        notifications.settings_update(user=person, time_zone="UTC", digest_hour=9, events={event: "daily" for event in Event.values})
    with time_machine.travel(datetime(2026, 3, 2, 7, 0, tzinfo=dt_timezone.utc), tick=False):
        for person in people:
            for n in range(3):
                notifications.notify(user=person, event=Event.DECISION, project=project, url="/", text=f"decision {n}")
    nine = datetime(2026, 3, 2, 9, 0, tzinfo=dt_timezone.utc)
    mail.outbox.clear()

    for minute in range(3):  # schedulers racing at 9:00, and again a minute later
        outcomes = together(*[lambda m=minute: notifications.digests_run(now=nine + timedelta(minutes=m)) for _ in range(4)])
        assert not [o for o in outcomes if isinstance(o, Exception)], outcomes

    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"{p.username}@example.com" for p in people)
    assert all(m.subject == "Daily digest: 3 updates" for m in mail.outbox)
    assert Digest.objects.filter(period="daily", status="sent").count() == 12
    assert not Notification.objects.filter(digest__isnull=True).exists()


def test_concurrent_immediate_sends_and_reminders_happen_once():
    project = ProjectFactory()
    owner = member(project, "owner", "olga")
    maker = member(project, "editor", "eddie")
    people = reviewers(project, "rita", "raj", "rosa")
    start = datetime(2026, 3, 2, 8, 0, tzinfo=dt_timezone.utc)
    with time_machine.travel(start, tick=False):
        assets = [stored_asset(project, user=maker, width=64, height=48) for _ in range(3)]
        services.assignment_create(user=owner, project=project, assets=assets, assignees=people, due_at=start + timedelta(days=1))
    mail.outbox.clear()
    Digest.objects.filter(period="immediate").update(status="pending")  # as if the workers never took them: the sweeps race for them

    due = start + timedelta(days=1)
    outcomes = together(*[lambda: (services.reminders_run(now=due), notifications.digests_run(now=due)) for _ in range(4)])

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Reminder.objects.filter(event=Event.DUE).count() == 3
    assert Notification.objects.filter(event=Event.DUE).count() == 3
    assert sorted(m.subject.split(":")[0] for m in mail.outbox if m.subject.startswith("Due")) == ["Due now"] * 3
    assert len([m for m in mail.outbox if "asked you to review" in m.subject]) == 3
    assert Assignment.objects.count() == 1
