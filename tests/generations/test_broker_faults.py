"""The broker away (Redis restarting) never fails a request: the job is created (201), stays
queued and marked never sent, and the resend sweep sends it once the broker is back; a broker that
lost every message it held has every queued job sent again, each run once."""

import pytest
from kombu.exceptions import OperationalError as BrokerUnavailable

from apps.generations.models import Generation
from apps.generations.services import generations_resend_unsent
from config.celery import app as celery_app

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def broker_down(monkeypatch):
    attempts = []

    def refuse(name, *args, **kwargs):
        attempts.append(name)
        raise BrokerUnavailable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(celery_app, "send_task", refuse)
    yield attempts
    monkeypatch.undo()


def create(api, user, project, **body):
    return api(user).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a harbour"} | body, format="json")


@pytest.mark.parametrize("count", [1, 3])  # one job: its own message; several: one fan-out message
def test_a_job_created_while_the_broker_is_away_answers_201_and_runs_once_it_is_back(api, editor, project, upstream, broker_down, count):
    if count == 1:
        response = create(api, editor, project)
        assert response.status_code == 201, response.content[:300]
    else:  # a campaign stage's jobs, made at once
        from apps.generations.services import GenerationInput, generations_create_many

        generations_create_many(project=project, user=editor, items=[GenerationInput(prompt=f"a harbour {n}") for n in range(count)])
    assert broker_down  # the send was tried
    jobs = Generation.objects.filter(project=project)
    assert jobs.count() == count
    assert set(jobs.values_list("status", flat=True)) == {"queued"} and not jobs.filter(enqueued_at__isnull=False).exists()

    # Still away: the sweep tries, and the jobs stay marked for the next one.
    generations_resend_unsent()
    assert not jobs.filter(enqueued_at__isnull=False).exists()

    broker_down_attempts = len(broker_down)
    celery_app.conf.task_always_eager = True  # the broker is back: what is sent now runs
    try:
        import unittest.mock

        with unittest.mock.patch.object(celery_app, "send_task", side_effect=AssertionError("eager sends never reach the broker")):
            assert generations_resend_unsent() == count
    finally:
        celery_app.conf.task_always_eager = False
    assert len(broker_down) == broker_down_attempts
    assert set(jobs.values_list("status", flat=True)) == {"succeeded"}
    assert sorted(jobs.values_list("upstream_calls", flat=True)) == [1] * count
    assert len(upstream.state.log) == count
    assert generations_resend_unsent() == 0  # nothing left to send


def test_a_broker_that_forgot_its_messages_has_every_queued_job_sent_again(api, editor, project, upstream, run_tasks_inline, settings):
    """Redis restarted without persistence: the queued jobs' messages are gone, their rows are not."""
    from apps.generations.engine import resend_unsent

    celery_app.conf.task_always_eager = False
    try:
        import unittest.mock

        with unittest.mock.patch.object(celery_app, "send_task"):  # sent into a broker that then restarts
            assert create(api, editor, project).status_code == 201
            assert create(api, editor, project, prompt="a quay").status_code == 201
    finally:
        celery_app.conf.task_always_eager = True
    jobs = Generation.objects.filter(project=project)
    assert set(jobs.values_list("status", flat=True)) == {"queued"}
    assert resend_unsent(broker_forgot=False) == 0  # sent, as far as anyone knows

    assert resend_unsent(broker_forgot=True) == 2
    assert set(jobs.values_list("status", flat=True)) == {"succeeded"}
    assert sorted(jobs.values_list("upstream_calls", flat=True)) == [1, 1]
    assert resend_unsent(broker_forgot=True) == 0  # nothing queued: a second sweep sends nothing


def test_the_embedded_broker_never_forgets():
    from apps.core.tasks import broker_forgot

    assert broker_forgot() is False


def test_the_job_allowance_lets_a_job_through_while_its_cache_is_away(api, editor, project, monkeypatch):
    """Redis is the cache too at scale: a restart must not fail job creation."""
    import redis
    from django.core.cache import cache

    def cache_down(*args, **kwargs):
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(cache, "add", cache_down)
    monkeypatch.setattr(cache, "get", cache_down)
    monkeypatch.setattr(celery_app, "send_task", lambda *a, **k: None)
    assert create(api, editor, project).status_code == 201
