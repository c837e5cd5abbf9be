"""Tasks are sent by name once the transaction commits, and not at all when it rolls back."""

import pytest
from celery.signals import task_prerun
from django.db import transaction

from apps.core.tasks import send_on_commit, task_named

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ran(run_tasks_inline):
    names = []

    def record(sender=None, args=None, **kwargs):
        names.append((sender.name, list(args or ())))

    task_prerun.connect(record, weak=False, dispatch_uid="test.ran")
    yield names
    task_prerun.disconnect(dispatch_uid="test.ran")


def test_a_task_is_sent_by_name_after_commit_and_never_after_a_rollback(ran):
    with transaction.atomic():
        send_on_commit("assets.make_thumbnail", ["00000000-0000-0000-0000-000000000000"])
        assert ran == []  # not before the commit
    assert ran == [("assets.make_thumbnail", ["00000000-0000-0000-0000-000000000000"])]

    with pytest.raises(RuntimeError), transaction.atomic():
        send_on_commit("assets.make_thumbnail", ["11111111-1111-1111-1111-111111111111"])
        raise RuntimeError("rolled back")
    assert len(ran) == 1


def test_every_task_name_the_services_send_is_registered():
    for name in ("generations.run", "generations.enqueue_many", "batches.submit", "batches.release", "webhooks.deliver", "assets.make_thumbnail"):
        assert task_named(name).name == name


def test_many_threads_sending_at_once_from_a_fresh_process_all_find_the_task():
    """The first burst of requests after a web process starts: every sender must find the task
    (the import of the task modules once raced, and a request answered 500 NotRegistered)."""
    import subprocess
    import sys

    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings'); django.setup()\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from apps.core.tasks import task_named\n"
        "with ThreadPoolExecutor(16) as pool:\n"
        "    names = list(pool.map(lambda _: task_named('generations.run').name, range(64)))\n"
        "assert set(names) == {'generations.run'}, names\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
