"""Figure 3c: the web tier under load, the Procfile's way. gunicorn as platform/gunicorn.conf.py
configures it (its workers and threads), PostgreSQL and Redis (cache) started for the run,
`--assets` assets seeded in bulk, then for each endpoint `--clients` concurrent keep-alive
connections (token auth for REST, a session cookie for the HTML pages) for `--seconds`:

    .venv/bin/python -m bench.web_load                       # 100,000 assets, 32 clients, 10 s each
    .venv/bin/python -m bench.web_load --assets 10000 --seconds 5

Prints requests/s, p50 / p99 latency and errors (any answer but 200, or a broken connection) per
endpoint, and beside them each request's own CPU time measured in-process on the same database
(median of 30, Django's test client) and what the machine gives for it: cores / CPU time; the
goal is at least 0.7 of that. The load generator is one asyncio process sending ready-made
requests on raw sockets (a few tens of microseconds of CPU each), but it, PostgreSQL and Redis
share the cores with gunicorn, as they would on a one-machine install.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench._common import ROOT, cpu_seconds, free_port, percentile


async def _client(host: str, port: int, request: bytes, stop_at: float, latencies: list, errors: list) -> None:
    reader = writer = None
    while time.monotonic() < stop_at:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = int(head.split(b" ", 2)[1])
            headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(b":") for line in head.split(b"\r\n")[1:] if line)}
            if b"content-length" in headers:
                await reader.readexactly(int(headers[b"content-length"]))
            elif headers.get(b"transfer-encoding") == b"chunked":
                while True:
                    size = int((await reader.readuntil(b"\r\n")).strip().split(b";")[0], 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            latencies.append(time.perf_counter() - started)
            if status != 200:
                errors.append(status)
            if headers.get(b"connection", b"").lower() == b"close":
                writer.close()
                reader = writer = None
        except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
            errors.append(type(exc).__name__)
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.05)
    if writer is not None:
        writer.close()


async def load(url: str, headers: dict, clients: int, seconds: float, on_warm=lambda: None) -> dict:
    """A warm-up second (each gunicorn worker's first requests load templates, URL patterns and
    lazy imports), then `on_warm()`, then `seconds` of measured load."""
    host, port = url.removeprefix("http://").split("/", 1)[0].split(":")
    path = "/" + url.removeprefix("http://").split("/", 1)[1]
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: keep-alive\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n").encode()
    warm: list = []
    await asyncio.gather(*[_client(host, int(port), request, time.monotonic() + 1.0, warm, []) for _ in range(clients)])
    on_warm()
    latencies, errors = [], []
    started = time.perf_counter()
    await asyncio.gather(*[_client(host, int(port), request, time.monotonic() + seconds, latencies, errors) for _ in range(clients)])
    elapsed = time.perf_counter() - started
    return {"rps": len(latencies) / elapsed, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "requests": len(latencies), "warm": len(warm), "errors": errors}


def in_process_cpu(paths: dict, token: str, user, repeat: int = 30) -> dict:
    from django.test import Client

    # `localhost`, not the test client's `testserver`: ALLOWED_HOSTS is the deployment's default.
    api, pages = Client(HTTP_AUTHORIZATION=f"Token {token}", SERVER_NAME="localhost"), Client(SERVER_NAME="localhost")
    pages.force_login(user)
    cpu = {}
    for name, path in paths.items():
        client = pages if not path.startswith("/api/") else api
        for _ in range(3):
            assert client.get(path).status_code == 200, (name, path)
        samples = []
        for _ in range(repeat):
            started = time.thread_time()
            client.get(path)
            samples.append(time.thread_time() - started)
        cpu[name] = percentile(samples, 50)
    return cpu


def _interrupted(*_) -> None:
    raise KeyboardInterrupt


def _tree_cpu(root: int) -> float:
    """CPU seconds of a process and all its descendants, live ones and those already reaped by their
    parent (a recycled gunicorn worker, a closed PostgreSQL backend), from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    total, todo = 0.0, [root]
    while todo:
        pid = todo.pop()
        try:
            total += cpu_seconds(pid)
        except (OSError, IndexError, ValueError):
            continue
        todo.extend(children.get(pid, []))
    return total


def profile(paths: dict, token: str, user, top: int) -> None:
    """--profile: each endpoint under cProfile in-process (20 requests after 3 warm ones), the
    functions with the most cumulative and own time."""
    import cProfile
    import pstats

    from django.test import Client

    api = Client(HTTP_AUTHORIZATION=f"Token {token}", SERVER_NAME="localhost")
    pages = Client(SERVER_NAME="localhost")
    pages.force_login(user)
    for name, path in paths.items():
        client = pages if not path.startswith("/api/") else api
        for _ in range(3):
            client.get(path)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(20):
            client.get(path)
        profiler.disable()
        print(f"\n===== {name}: {path}")
        stats = pstats.Stats(profiler).strip_dirs()
        stats.sort_stats("cumulative").print_stats(top)
        stats.sort_stats("tottime").print_stats(top)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--assets", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--pg-port", type=int, default=55442)
    parser.add_argument("--redis-port", type=int, default=56442)
    parser.add_argument("--only", nargs="+", help="endpoints whose name starts with one of these (e.g. asset job lineage gallery)")
    parser.add_argument("--profile", type=int, metavar="N", help="no load: print each endpoint's N heaviest functions in-process")
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    # A SIGTERM (a CI timeout, `kill`) unwinds like Ctrl-C, through the `finally` that stops
    # everything this run started.
    signal.signal(signal.SIGTERM, _interrupted)
    scratch = Path(tempfile.mkdtemp(prefix="bench-web-"))
    gunicorn = pg_started = None
    try:
        pg_started = subprocess.run([str(ROOT / "bin/pg-scratch"), "start", str(scratch / "pg"), str(args.pg_port)],
                                    capture_output=True, text=True)
        if pg_started.returncode:
            raise SystemExit(f"PostgreSQL did not start on port {args.pg_port}:\n{pg_started.stderr}")
        subprocess.run(["redis-server", "--bind", "127.0.0.1", "--port", str(args.redis_port), "--save", "", "--appendonly", "no",
                        "--daemonize", "yes", "--pidfile", str(scratch / "redis.pid"), "--dir", str(scratch)],
                       check=True, capture_output=True)
        env = {**os.environ, "DATABASE_URL": pg_started.stdout.strip(), "CACHE_URL": f"redis://127.0.0.1:{args.redis_port}/1",
               "SECRET_KEY": "bench-web-load-" + uuid.uuid4().hex, "VAR_DIR": str(scratch / "var")}
        os.environ.update(env)
        from bench._common import django_setup

        django_setup(str(scratch / "var"))
        from django.contrib.auth import get_user_model
        from rest_framework.authtoken.models import Token

        from apps.projects.services import project_create
        from bench.read_path import CHAIN_DEPTH, LIST_PAGE, seed_postgres

        user = get_user_model().objects.create(username=f"bench-{uuid.uuid4().hex[:6]}")
        maker = get_user_model().objects.create(username=f"bench-maker-{uuid.uuid4().hex[:6]}")
        project = project_create(user=user, name="bench load")
        t0 = time.perf_counter()
        seeded = seed_postgres(project, maker, args.assets)
        print(f"seeded {args.assets:,} assets in {time.perf_counter() - t0:.1f} s", flush=True)
        token = Token.objects.create(user=user).key
        paths = {
            "asset list (50)": f"/api/v1/projects/{project.id}/assets/?page_size={LIST_PAGE}",
            "job list (50)": f"/api/v1/projects/{project.id}/generations/?page_size={LIST_PAGE}",
            "asset detail": f"/api/v1/assets/{seeded['any_asset'].id}/",
            f"lineage ({CHAIN_DEPTH} deep)": f"/api/v1/assets/{seeded['chain_end'].id}/lineage/",
            "gallery page (HTML)": f"/projects/{project.id}/gallery/",
            "review queue (HTML)": f"/projects/{project.id}/review/",
        }
        if args.only:
            paths = {name: path for name, path in paths.items() if name.startswith(tuple(args.only))}
        if args.profile:
            profile(paths, token, user, args.profile)
            return
        cpu = in_process_cpu(paths, token, user)
        from django.contrib.sessions.backends.db import SessionStore
        from django.db import connections

        session = SessionStore()
        session["_auth_user_id"], session["_auth_user_backend"] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        connections.close_all()

        port = free_port()
        log = scratch / "gunicorn.log"
        gunicorn = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "platform/gunicorn.conf.py"], cwd=ROOT,
                                    env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}, stdout=open(log, "ab"), stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while b"Booting worker" not in log.read_bytes():
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        time.sleep(3)  # every worker booted
        postmaster = int((scratch / "pg" / "postmaster.pid").read_text().split()[0])
        redis = int((scratch / "redis.pid").read_text().strip())
        base = f"http://127.0.0.1:{port}"
        print(f"gunicorn: {log.read_text().count('Booting worker')} workers as configured; "
              f"{args.clients} clients, {args.seconds:.0f} s per endpoint, {cores} cores; load average {os.getloadavg()[0]:.2f}\n")
        print(f"{'endpoint':22} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'CPU ms':>7} {'cores/CPU':>9} {'achieved':>8}"
              f"   machine CPU ms per request under load: gunicorn, PostgreSQL, Redis, load generator")
        for name, path in paths.items():
            headers = {"Authorization": f"Token {token}"} if path.startswith("/api/") else {"Cookie": f"sessionid={session.session_key}"}
            snapshot = lambda: (_tree_cpu(gunicorn.pid), _tree_cpu(postmaster), _tree_cpu(redis), time.process_time())  # noqa: E731
            before = []
            result = asyncio.run(load(base + path, headers, args.clients, args.seconds, on_warm=lambda: before.extend(snapshot())))
            spent = [(a - b) * 1000 / max(1, result["requests"]) for a, b in zip(snapshot(), before)]
            ceiling = cores / cpu[name]
            print(f"{name:22} {result['rps']:7.1f} {result['p50'] * 1000:7.1f} {result['p99'] * 1000:7.1f} {len(result['errors']):6} "
                  f"{cpu[name] * 1000:7.1f} {ceiling:9.1f} {result['rps'] / ceiling:7.2f}x   "
                  f"{spent[0]:.1f}, {spent[1]:.1f}, {spent[2]:.1f}, {spent[3]:.1f} (total {sum(spent):.1f})", flush=True)
            if result["errors"]:
                print(f"{'':22} errors: {sorted(set(map(str, result['errors'])))}")
        print(f"\nload average after the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut the clean-up short
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if gunicorn is not None and gunicorn.poll() is None:
            gunicorn.terminate()
            try:
                gunicorn.wait(timeout=30)
            except subprocess.TimeoutExpired:
                gunicorn.kill()
                gunicorn.wait()
        pid_file = scratch / "redis.pid"
        if pid_file.exists():
            subprocess.run(["kill", pid_file.read_text().strip()], check=False)
        if "django" in sys.modules and "django.db" in sys.modules:
            from django.db import connections

            connections.close_all()
        if pg_started is not None:
            subprocess.run([str(ROOT / "bin/pg-scratch"), "stop", str(scratch / "pg")], check=False)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
