import pytest

from config.celery import app as celery_app


@pytest.fixture(autouse=True)
def send_inline():
    """An immediate notification's email is sent in this process as its transaction commits (the
    real task, without a broker)."""
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False
