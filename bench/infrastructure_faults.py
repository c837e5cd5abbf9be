"""Figures for issue 34: the platform's own infrastructure failing under a running stage.

    SCALE_PG_PORT=55441 SCALE_REDIS_PORT=56441 SCALE_S3_PORT=55941 .venv/bin/python -m bench.infrastructure_faults

Runs the scale stage's fault tests (tests/scale/test_infrastructure_faults.py, through bin/test-scale:
real PostgreSQL, Redis, an S3 server, gunicorn, Celery workers, the emulator) and prints what they
measured, per fault: seconds from the end of the outage to the last job finished, upstream calls paid
twice, 5xx answers served. `BUCKET_OUTAGE_SECONDS` (default 30) sets the bucket's outage.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIGURE = re.compile(r"^(postgresql restart|redis restart|bucket outage)\b.*$", re.MULTILINE)


def main(argv: list[str]) -> int:
    started = time.monotonic()
    done = subprocess.run(
        [str(ROOT / "bin" / "test-scale"), "tests/scale/test_infrastructure_faults.py", "-q", *argv],
        cwd=ROOT, env=os.environ.copy(), capture_output=True, text=True,
    )
    figures = FIGURE.findall(done.stdout)
    lines = [match.group(0) for match in FIGURE.finditer(done.stdout)]
    print(f"infrastructure faults on the scale profile ({time.monotonic() - started:.0f} s, exit {done.returncode}):")
    for line in lines:
        print(f"  {line}")
    if done.returncode != 0 or not figures:
        print(done.stdout[-4000:], done.stderr[-2000:], sep="\n")
    return done.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
