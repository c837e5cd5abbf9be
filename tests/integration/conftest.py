"""Real processes: a Celery worker on the configured broker, the web API served over HTTP.

On the embedded defaults the API is Django's live server; on the scale profile (bin/test-scale)
it is gunicorn with platform/gunicorn.conf.py, and every process shares PostgreSQL, Redis and the
bucket through the environment.
"""

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.conf import settings as django_settings
from django.db import connection
from rest_framework.authtoken.models import Token

from tests.conftest import SCALE_PROFILE
from tests.factories import UserFactory
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(config, items):
    """A test that drives the browser is marked `browser`: the scale stage leaves those to the
    embedded stage (`-m "not browser"`), since pages drawn by the live server do not depend on the profile."""
    for item in items:
        if "chromium" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


def purge_broker() -> None:
    """Drop every message (and, on Redis, every unacknowledged one) a previous test left behind."""
    if django_settings.CELERY_BROKER_URL.startswith("filesystem://"):
        folder = django_settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
        return
    from config.celery import app

    with app.connection_for_write() as conn:
        if django_settings.CELERY_BROKER_URL.startswith("redis"):
            conn.default_channel.client.flushdb()
        else:
            for queue in app.amqp.queues:
                conn.default_channel.queue_purge(queue)


def database_url() -> str:
    """The URL of the database this test session uses (the test database), for child processes."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    auth = quote(db["USER"] or "", safe="") + (":" + quote(db["PASSWORD"], safe="") if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def child_env(**extra) -> dict:
    """The environment of a child process of this test session: same database, state folder, broker."""
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "VAR_DIR": str(django_settings.VAR_DIR),
        **{key: str(value) for key, value in extra.items()},
    }


def start_process(command: list[str], *, env: dict, log) -> subprocess.Popen:
    """Start a child process in a process group of its own, so that stopping it also stops what it
    forked (the beat inside a worker, gunicorn's workers), even after it was SIGKILLed."""
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _signal_group(process, sig) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass


def stop_process(process, log, sig=None) -> None:
    """Stop a child process and its group: by `sig`, or politely, then by force after 15 s; whatever
    of its group is left then (say a forked child of a killed worker) is killed too. Closes its log."""
    if process:
        if process.poll() is None:
            _signal_group(process, sig or signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(process, signal.SIGKILL)
                process.wait()
        _signal_group(process, signal.SIGKILL)
    log.close()


def wait_until_up(process, log, log_path: Path, ready, what: str) -> None:
    """Wait up to 30 s for a just-started child to be `ready()`; if it exits or never gets there, stop
    it (never leave a half-started one behind) and fail with the tail of its log."""
    def up():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited: {log_path.read_text()[-2000:]}")
        return ready()

    try:
        wait_for(up, timeout=30, what=f"{what} ready")
    except AssertionError:
        stop_process(process, log)
        raise RuntimeError(f"{what} did not start: {log_path.read_text()[-2000:]}") from None


def answers(url: str) -> bool:
    """The server at `url` answers 200 (False while it does not listen yet)."""
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def kill_process(process) -> None:
    """SIGKILL a child process and its group at once, as a crash or an OOM kill would, and reap it."""
    _signal_group(process, signal.SIGKILL)
    process.wait()


class Worker:
    """`celery worker` as a child process sharing this test session's database and files."""

    def __init__(self, *, files_dir: Path | None, base_url: str, log_path: Path, extra_env: dict | None = None,
                 name: str = "worker"):
        self.env = child_env(**{
            "GOOGLE_GEMINI_BASE_URL": base_url,
            "GEMINI_API_KEY": "emulator-key",
            "GENERATION_RETRY_BASE_SECONDS": "0.2",
            "WEBHOOK_TEST_ALLOW_LOOPBACK": "true",
            **({"FILES_DIR": str(files_dir)} if files_dir else {}),
            **(extra_env or {}),
        })
        self.log_path = log_path
        self.name = name
        self.process = None

    def start(self, concurrency: int = 2, extra_args: tuple = ()) -> "Worker":
        """`extra_args`: e.g. ("-B", "--schedule", path) to run the beat inside the worker."""
        self.log = open(self.log_path, "ab")
        self.process = start_process(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=threads", f"--concurrency={concurrency}",
             "-n", f"{self.name}@%h", "--loglevel=INFO", "--without-heartbeat", "--without-gossip", "--without-mingle",
             *extra_args],
            env=self.env, log=self.log,
        )
        wait_until_up(self.process, self.log, self.log_path, lambda: b"ready." in self.log_path.read_bytes(), "worker")
        return self

    def stop(self, sig=None) -> None:
        if self.process:
            stop_process(self.process, self.log, sig)

    def kill(self) -> None:
        """SIGKILL the worker and its beat: no cleanup, no ack."""
        if self.process:
            kill_process(self.process)
            self.stop()


@pytest.fixture
def files_dir(private_storage):
    return private_storage


@pytest.fixture
def start_worker(transactional_db, emulator, files_dir, tmp_path):
    """Starts worker processes on the emulator, each with its `extra_env` (and the beat inside it with
    `beat=True`); every one is killed at teardown, whatever the test did to it or however it ended."""
    purge_broker()
    started: list[Worker] = []

    def start(*, beat: bool = False, concurrency: int = 2, **extra_env) -> Worker:
        n = len(started) + 1
        worker = Worker(files_dir=files_dir, base_url=emulator.base_url, log_path=tmp_path / f"worker-{n}.log",
                        extra_env={key: str(value) for key, value in extra_env.items()}, name=f"worker-{n}")
        started.append(worker)
        return worker.start(concurrency=concurrency, extra_args=("-B", "--schedule", str(tmp_path / f"beat-{n}")) if beat else ())

    yield start
    # The test is over: killed at once. A polite stop waits for the consumer's 2 s poll of the
    # filesystem broker, twice (4.5 s per worker, about 3 minutes of the integration suite).
    for worker in started:
        worker.kill()


@pytest.fixture
def worker(start_worker):
    return start_worker()


class Rest:
    """A token-authenticated HTTP client for the live server."""

    def __init__(self, base_url: str, token: str):
        self.base_url = base_url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"

    def get(self, path, **kwargs):
        return self.session.get(self.base_url + path, timeout=30, **kwargs)

    def post(self, path, body=None, **kwargs):
        return self.session.post(self.base_url + path, json=body, timeout=30, **kwargs)

    def wait_for_job(self, job_id, timeout=60.0) -> dict:
        seen = {}

        def finished():
            seen.update(self.get(f"/api/v1/generations/{job_id}/").json())
            return seen["status"] in ("succeeded", "failed", "canceled") and seen

        return wait_for(finished, timeout, interval=0.2, what=lambda: f"job {job_id} finished (still {seen.get('status')})")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The web API as production runs it: gunicorn with platform/gunicorn.conf.py."""

    def __init__(self, log_path: Path, **extra_env):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.env = child_env(
            GUNICORN_BIND=self.url.removeprefix("http://"),
            WEB_CONCURRENCY=2,
            GUNICORN_THREADS=4,
            JOB_CREATION_RATE="100000/min",
            SIGNING_RATE="100000/min",
            WEBHOOK_TEST_ALLOW_LOOPBACK="true",  # test receivers listen on loopback
            **extra_env,
        )
        self.log_path = log_path
        self.process = None

    def start(self) -> "Gunicorn":
        self.log = open(self.log_path, "ab")
        self.process = start_process([sys.executable, "-m", "gunicorn", "-c", "platform/gunicorn.conf.py"], env=self.env, log=self.log)
        wait_until_up(self.process, self.log, self.log_path, lambda: answers(self.url + "/healthz"), "gunicorn")
        return self

    def stop(self) -> None:
        stop_process(self.process, self.log)


@pytest.fixture(scope="session")
def gunicorn(django_db_setup, tmp_path_factory):
    """gunicorn on the test database; stopped before the test database is dropped."""
    server = Gunicorn(tmp_path_factory.mktemp("gunicorn") / "gunicorn.log").start()
    yield server
    server.stop()


@pytest.fixture
def web_url(request, transactional_db):
    """Where the API is served: gunicorn on the scale profile, Django's live server otherwise."""
    if SCALE_PROFILE:
        return request.getfixturevalue("gunicorn").url
    return request.getfixturevalue("live_server").url


@pytest.fixture
def rest(web_url, transactional_db):
    user = UserFactory(username="integration-editor")
    return Rest(web_url, Token.objects.create(user=user).key)


@pytest.fixture
def rest_as(web_url, transactional_db):
    """A client for a new user holding `role` on a project."""

    def client_for(project_id, role: str) -> Rest:
        from apps.projects.models import Membership

        user = UserFactory()
        Membership.objects.create(project_id=project_id, user=user, role=role)
        return Rest(web_url, Token.objects.create(user=user).key)

    return client_for


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import expect, sync_playwright

    from tests.integration.browser import CHROMIUM, CHROMIUM_ARGS

    # Assertions wait as long as actions do (the contexts' 15 s), not Playwright's 5 s: in CI this
    # suite shares the two cores with the unit suite.
    expect.set_options(timeout=15_000)

    # Playwright's sync API keeps an event loop in this thread; the tests' own ORM calls stay sync.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
            yield browser
            browser.close()
    finally:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def browser_page(chromium, live_server, request):
    """A fresh browser context per test; its last page is saved as a screenshot for a person to look at."""
    from tests.integration.browser import SCREENSHOTS

    context = chromium.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    # Every browser test also proves its pages work under the Content-Security-Policy: anything the
    # policy blocks is reported (console and securitypolicyviolation events) and fails the test.
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', (e) => console.error("
        "'Content Security Policy violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline')));"
    )
    page = context.new_page()
    page.csp_violations = []
    page.on("console", lambda message: "Content Security Policy" in message.text and page.csp_violations.append(message.text))
    yield page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert page.csp_violations == [], page.csp_violations


@pytest.fixture
def person(transactional_db):
    """A user with a known password holding `role` on a project, for logging in through the page."""

    def make(project, role: str, username: str):
        from apps.projects.models import Membership

        user = UserFactory(username=username)
        user.set_password("correct horse battery")
        user.save()
        Membership.objects.create(project=project, user=user, role=role)
        return user

    return make
