"""Shared set-up for benchmarks: a throw-away VAR_DIR, Django configured on it, process helpers."""

from __future__ import annotations

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
