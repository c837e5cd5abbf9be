"""The scale profile's processes: the emulator as its own process, N Celery workers; and a summary
of the figures the tests measured, printed at the end of the run so they show in the CI log."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import requests

from tests.integration.conftest import Worker, answers, child_env, free_port, purge_broker, start_process, stop_process, wait_until_up
from tests.integration.conftest import gunicorn, rest, rest_as, web_url  # noqa: F401  (fixtures shared with the integration suite)

FIGURES: list[str] = []


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.section("scale profile figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


class EmulatorProcess:
    """`manage.py gemini_emulator` as a child process."""

    def __init__(self, log_path: Path, *, latency: float = 0.0, rpm: int = 0):
        self.base_url = f"http://127.0.0.1:{free_port()}"
        self.log_path = log_path
        self.args = ["--port", self.base_url.rsplit(":", 1)[1], "--latency", str(latency), "--rpm", str(rpm)]

    def start(self) -> "EmulatorProcess":
        self.log = open(self.log_path, "ab")
        self.process = start_process([sys.executable, "manage.py", "gemini_emulator", *self.args], env=child_env(), log=self.log)
        wait_until_up(self.process, self.log, self.log_path, lambda: answers(self.base_url + "/_emulator/health"), "emulator")
        return self

    def requests_log(self) -> list[dict]:
        return requests.get(self.base_url + "/_emulator/requests", timeout=10).json()["requests"]

    def stop(self) -> None:
        stop_process(self.process, self.log)


@pytest.fixture
def start_emulator(tmp_path):
    started = []

    def start(**options) -> EmulatorProcess:
        started.append(EmulatorProcess(tmp_path / f"emulator{len(started)}.log", **options).start())
        return started[-1]

    yield start
    for emulator in started:
        emulator.stop()


@pytest.fixture
def start_workers(transactional_db, tmp_path):
    """Start `count` worker processes (threads pool) against an emulator; all stopped at teardown."""
    started: list[Worker] = []

    def start(count: int, *, base_url: str, concurrency: int = 4, **extra_env) -> list[Worker]:
        purge_broker()
        for n in range(count):
            worker = Worker(files_dir=None, base_url=base_url, log_path=tmp_path / f"worker{n + 1}.log",
                            extra_env={k: str(v) for k, v in extra_env.items()}, name=f"worker{n + 1}")
            started.append(worker.start(concurrency=concurrency))
        return started

    yield start
    for worker in started:
        worker.stop()
