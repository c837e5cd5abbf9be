"""Processes a test run started, found by a mark in their environment, so none outlives its run.

Every process inherits its parent's environment, and a forked child keeps it even when its parent
is killed and it is re-parented to init (the beat inside a SIGKILLed Celery worker did exactly
that). So a run puts a mark of its own in its environment, and at its end any other process
carrying the mark is one it left behind. Read from /proc (Linux), no psutil.

`python -m tests.processes VARIABLE` is the check bin/test and bin/test-scale run at the end of
each stage; tests/conftest.py runs it at the end of every pytest session.
"""

from __future__ import annotations

import os
import signal
import sys
import time
import uuid
from pathlib import Path

SESSION_MARK = "BRANDIMAGES_TEST_SESSION"  # set by each pytest session (tests/conftest.py)
RUN_MARK = "BRANDIMAGES_TEST_RUN"  # set by bin/test and bin/test-scale for the whole stage


def new_mark() -> str:
    return uuid.uuid4().hex


def _environment(pid: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:  # gone, or not ours to read
        return b""


def _status(pid: str) -> dict[str, str]:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return {}
    return dict(line.split(":\t", 1) for line in lines if ":\t" in line)


def describe(pid: int) -> str:
    """`pid 123 (ppid 1): python -m celery -A config worker ...`, as a person reads it in a log."""
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = "?"
    ppid = _status(str(pid)).get("PPid", "?").strip()
    return f"pid {pid} (ppid {ppid}): {command[:300]}"


def _ancestors() -> set[int]:
    """This process and its parents: they carry the mark because they set or passed it on."""
    pids, pid = set(), os.getpid()
    while pid > 1 and pid not in pids:
        pids.add(pid)
        try:
            pid = int(_status(str(pid)).get("PPid", "0"))
        except ValueError:
            break
    return pids


def marked(variable: str, value: str) -> list[int]:
    """Live processes (zombies aside) other than this one and its ancestors that carry `variable=value`."""
    needle = f"{variable}={value}".encode()
    mine = _ancestors()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        if needle in _environment(entry.name).split(b"\0") and not _status(entry.name).get("State", "").startswith(("Z", "X")):
            found.append(int(entry.name))
    return sorted(found)


def leftovers(variable: str, value: str, grace: float = 10.0) -> list[str]:
    """Processes still carrying the mark after `grace` seconds (a process being stopped may take a
    moment to exit), described; each is then killed so the next run starts clean."""
    deadline = time.monotonic() + grace
    while (pids := marked(variable, value)) and time.monotonic() < deadline:
        time.sleep(0.2)
    described = [describe(pid) for pid in pids]
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return described


def main(argv: list[str]) -> int:
    variable = argv[1] if len(argv) > 1 else RUN_MARK
    value = os.environ.get(variable)
    if not value:
        print(f"tests.processes: {variable} is not set, nothing to check", file=sys.stderr)
        return 0
    left = leftovers(variable, value)
    if not left:
        return 0
    print(f"\nFAILED: {len(left)} process(es) started under this run were still running at its end "
          f"(each test must stop what it starts); killed now:", file=sys.stderr)
    for line in left:
        print(f"  LEFT RUNNING: {line}", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
