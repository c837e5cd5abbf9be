import os

import pytest
from rest_framework.test import APIClient

from apps.gemini.emulator import start_in_thread
from config.celery import app as celery_app
from tests import processes
from tests.factories import ProjectFactory, member


# Set by bin/test-scale, which runs tests/integration and tests/scale on PostgreSQL, Redis and an
# S3 bucket. Without it, tests marked `scale` are skipped and everything runs on the embedded defaults.
SCALE_PROFILE = bool(os.environ.get("SCALE_PROFILE"))


def pytest_configure(config):
    """Marks this session's environment, so that processes it starts (and theirs) can be found at its end."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # xdist workers inherit the controller's mark
        os.environ[processes.SESSION_MARK] = processes.new_mark()


def pytest_sessionstart(session):
    _SESSION[:] = [session]


def pytest_unconfigure(config):
    """No test leaves a process behind: anything still carrying this session's mark once every
    fixture is torn down (and xdist's workers are gone) fails the run, named, and is killed."""
    mark = os.environ.get(processes.SESSION_MARK)
    if not mark or os.environ.get("PYTEST_XDIST_WORKER") or not _SESSION:
        return
    left = processes.leftovers(processes.SESSION_MARK, mark)
    if left:
        session = _SESSION[0]
        writer = config.get_terminal_writer()
        writer.line()
        writer.sep("!", f"{len(left)} process(es) started by tests were still running at the end (killed now)", red=True, bold=True)
        for line in left:
            writer.line(f"LEFT RUNNING: {line}", red=True)
        if session.exitstatus == pytest.ExitCode.OK:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED


_SESSION: list = []  # the session, whose exit status pytest_unconfigure may still change


def pytest_collection_modifyitems(config, items):
    if SCALE_PROFILE:
        return
    skip = pytest.mark.skip(reason="scale profile not running (./bin/test-scale starts PostgreSQL, Redis and S3 for these)")
    for item in items:
        if "scale" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def emulator():
    """The Gemini API emulator on a free loopback port; the real SDK reaches it over HTTP."""
    server = start_in_thread()
    previous = {name: os.environ.get(name) for name in ("GOOGLE_GEMINI_BASE_URL", "GEMINI_API_KEY", "GOOGLE_API_KEY")}
    os.environ["GOOGLE_GEMINI_BASE_URL"] = server.base_url
    os.environ["GEMINI_API_KEY"] = "emulator-key"
    os.environ.pop("GOOGLE_API_KEY", None)
    yield server
    server.shutdown()
    for name, value in previous.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


@pytest.fixture
def upstream(emulator):
    """The emulator with an empty request log."""
    emulator.state.reset()
    return emulator


@pytest.fixture
def batch_upstream(upstream):
    """The emulator with no batches or files, finishing a batch at its first read after creation."""
    upstream.batches.reset()
    upstream.batches.delay = 0
    yield upstream
    upstream.batches.delay = 0


def emulated_batches(server) -> list[dict]:
    """Every batch the emulator was asked to create, read over HTTP as a client would."""
    import requests

    return requests.get(f"{server.base_url}/_emulator/batches", timeout=5).json()["batches"]


@pytest.fixture(scope="session")
def c2pa_development_dir(tmp_path_factory):
    """Tests sign Content Credentials with their own development CA, never with var/'s."""
    from apps.assets.signing import development_certificate_make

    directory = tmp_path_factory.mktemp("c2pa")
    development_certificate_make(directory)
    return directory


@pytest.fixture(autouse=True)
def c2pa_signer(settings, c2pa_development_dir):
    settings.C2PA_DEV_DIR = c2pa_development_dir
    settings.C2PA_SIGNING_CERT = settings.C2PA_SIGNING_KEY = settings.C2PA_TRUST_ANCHORS = ""
    return c2pa_development_dir


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    """Each test writes its files to its own folder, starts with an empty cache; passwords hash fast.
    On the scale profile the configured bucket is kept (keys are unique per job) and None is returned."""
    from django.core.cache import cache

    cache.clear()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if SCALE_PROFILE:
        return None
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "files"), "base_url": None, "allow_overwrite": True},
        },
    }
    return tmp_path / "files"


@pytest.fixture
def checks_inline():
    """Requested (autouse in tests/checks/, or by a test): run_tasks_inline also runs the brand
    checks of every stored asset, not only queues them."""
    return True


@pytest.fixture
def run_tasks_inline(settings, transactional_db, request, monkeypatch):
    """Run enqueued jobs in this process as their transaction commits (the real task code,
    without a broker); retries wait 0 s instead of backing off.

    Brand checks are queued (the reading is `checking`, as while the checks queue is busy) but
    not run, unless the test asks for `checks_inline`: their OCR (Tesseract, seconds per image
    under load) was most of the time of the job tests that never look at a reading."""
    settings.GENERATION_RETRY_BASE_SECONDS = 0
    settings.PLACEMENTS_RENDER_AHEAD = False  # seventeen signed renders per approval; tests/placements turns it on
    if "checks_inline" not in request.fixturenames:
        from apps.checks import tasks as checks_tasks

        monkeypatch.setattr(checks_tasks.run_checks, "delay", lambda *args, **kwargs: None)
    celery_app.conf.task_always_eager = True
    yield
    celery_app.conf.task_always_eager = False


@pytest.fixture
def project(db):
    return ProjectFactory()


@pytest.fixture
def api():
    """Returns an API client logged in as the given user."""

    def client_for(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return client_for


@pytest.fixture
def editor(project):
    return member(project, "editor")


@pytest.fixture
def owner(project):
    return member(project, "owner")


@pytest.fixture
def viewer(project):
    return member(project, "viewer")


@pytest.fixture
def reviewer(project):
    return member(project, "reviewer")


@pytest.fixture
def outsider(db):
    from tests.factories import UserFactory

    return UserFactory()
