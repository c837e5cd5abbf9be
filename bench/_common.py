"""Shared set-up for benchmarks: a throw-away VAR_DIR, Django configured on it, process helpers."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def django_setup(var_dir: str | None = None) -> Path:
    var = Path(var_dir or tempfile.mkdtemp(prefix="bench-var-"))
    os.environ["VAR_DIR"] = str(var)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return var


def fresh_process_runs(module: str, args: list[str], repeat: int, env: dict | None = None) -> list[dict]:
    """Run `python -m module --child-run *args` `repeat` times, each in a fresh process (so its peak
    memory is its own); each prints one JSON object as its last line."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-m", module, "--child-run", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=True
        ).stdout
        runs.append(json.loads(out.strip().splitlines()[-1]))
    return runs


def child_or_main(run_one, main) -> None:
    """The `__main__` of a benchmark using fresh_process_runs: `--child-run A B` measures once and
    prints the JSON; anything else runs the whole benchmark."""
    if len(sys.argv) == 4 and sys.argv[1] == "--child-run":
        print(json.dumps(run_one(sys.argv[2], sys.argv[3])))
    else:
        main()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def median(values):
    return statistics.median(values)


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its children that were waited for, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks


def start(args: list[str], env: dict, log: Path, ready: bytes | None = None, timeout: float = 60) -> subprocess.Popen:
    handle = open(log, "ab")
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    if ready:
        deadline = time.monotonic() + timeout
        while ready not in log.read_bytes():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{args[:4]} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
    return process


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Platform:
    """The whole platform on a throw-away VAR_DIR: emulator, web server and one Celery worker,
    each its own process, exactly as bin/run starts them. `latency` is one number or per size
    ("512=4,4K=12"); `emulator_args` go to the emulator as they are (e.g. ["--prerendered"]),
    `concurrency` is the worker's thread count."""

    def __init__(
        self, *, latency: float | str = 0.0, concurrency: int = 8, rpm: int = 0, extra_env: dict | None = None,
        emulator_args: list[str] | None = None,
    ):
        self.var = django_setup()
        self.latency, self.concurrency, self.rpm = latency, concurrency, rpm
        self.emulator_args = list(emulator_args or [])
        self.emulator_url = f"http://127.0.0.1:{free_port()}"
        self.web_url = f"http://127.0.0.1:{free_port()}"
        self.env = {
            **os.environ,
            "VAR_DIR": str(self.var),
            "GOOGLE_GEMINI_BASE_URL": self.emulator_url,
            "GEMINI_API_KEY": "emulator",
            "JOB_CREATION_RATE": "100000/min",
            **(extra_env or {}),
        }
        self.processes: dict[str, subprocess.Popen] = {}

    def __enter__(self) -> "Platform":
        python = sys.executable
        port = self.emulator_url.rsplit(":", 1)[1]
        self.processes["emulator"] = start(
            [python, "manage.py", "gemini_emulator", "--port", port, "--latency", str(self.latency), "--rpm", str(self.rpm),
             *self.emulator_args],
            self.env, self.var / "emulator.log", ready=b"emulator on",
        )
        self.processes["web"] = start(
            [python, "manage.py", "runserver", self.web_url.removeprefix("http://"), "--noreload"],
            self.env, self.var / "web.log", ready=b"Starting development server",
        )
        self.processes["worker"] = self.start_worker("worker")
        return self

    def start_worker(self, name: str, concurrency: int | None = None, queues: str | None = None) -> subprocess.Popen:
        """A worker process; `queues` as the Procfile's `-Q generations` (default: every queue)."""
        return start(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=threads",
             f"--concurrency={concurrency or self.concurrency}", "--loglevel=INFO", "-n", f"{name}@%h",
             "--without-heartbeat", "--without-gossip", "--without-mingle", *(["-Q", queues] if queues else [])],
            self.env, self.var / f"{name}.log", ready=b"ready.",
        )

    def prerender(self, sizes: list[tuple[str, str]]) -> list[dict]:
        """Has an emulator started with --prerendered render these (aspect ratio, size) pairs now,
        before anything is timed; returns each one's pixel size and PNG bytes."""
        import requests

        response = requests.post(f"{self.emulator_url}/_emulator/prerender", json={"sizes": sizes}, timeout=300)
        response.raise_for_status()
        return response.json()["prerendered"]

    def __exit__(self, *exc):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def token_and_project(self) -> tuple[str, str]:
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        from apps.projects.services import project_create

        user = get_user_model().objects.create(username=f"bench-{os.getpid()}-{time.monotonic_ns()}")
        project = project_create(user=user, name="bench")
        return Token.objects.create(user=user).key, str(project.pk)

    def wait_finished(self, job_ids: list[str], timeout: float = 600) -> list:
        """Poll the database until every job is finished; returns the rows."""
        from apps.generations.models import FINISHED, Generation

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            rows = list(Generation.objects.filter(pk__in=job_ids))
            if len(rows) == len(job_ids) and all(row.status in FINISHED for row in rows):
                return rows
            time.sleep(0.05)
        raise RuntimeError("jobs did not finish in time")


def memory_kib(pid: int, field: str) -> int:
    """A process's memory figure from /proc, e.g. VmRSS (now) or VmHWM (peak so far)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(field)


class SingleWorkerGunicorn:
    """gunicorn (platform/gunicorn.conf.py) with one worker process of four threads, answering
    /healthz; `worker` is that process's pid, whose memory the benchmarks read."""

    def __init__(self, env: dict, var: Path):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.process = start([sys.executable, "-m", "gunicorn", "-c", "platform/gunicorn.conf.py"],
                             {**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4"},
                             var / f"gunicorn-{port}.log", ready=b"Booting worker")

    def __enter__(self) -> "SingleWorkerGunicorn":
        import requests

        deadline = time.monotonic() + 30
        while True:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
            try:
                if children and requests.get(self.url + "/healthz", timeout=5).ok:
                    self.worker = int(children[0])
                    return self
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer")
            time.sleep(0.2)

    def __exit__(self, *exc):
        self.process.terminate()
        self.process.wait(timeout=30)
