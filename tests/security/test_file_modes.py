"""Item 6 of issue 18: what the platform writes under var/ is its user's alone (0600 files, 0700
folders), for a new installation and one made before the rule."""

import os
import stat
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def run(var: Path, *args: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "FILES_DIR", "AWS_STORAGE_BUCKET_NAME", "CELERY_BROKER_URL")}
    result = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env={**env, "VAR_DIR": str(var)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_a_new_installation_is_private(tmp_path):
    var = tmp_path / "var"
    run(var, "migrate", "-v0")
    run(var, "shell", "-c", "from apps.assets.files import file_write; file_write('projects/p1/uploads/a.png', b'pixels')")
    files = [p for p in var.rglob("*") if p.is_file()]
    folders = [var, *(p for p in var.rglob("*") if p.is_dir())]
    assert var / "db.sqlite3" in files and var / "secret_key" in files and var / "files/projects/p1/uploads/a.png" in files
    assert {str(p.relative_to(var)): oct(mode(p)) for p in files if mode(p) != 0o600} == {}
    assert {str(p.relative_to(var)): oct(mode(p)) for p in folders if mode(p) != 0o700} == {}


def test_an_older_installation_is_tightened_at_startup(tmp_path):
    var = tmp_path / "var"
    run(var, "migrate", "-v0")
    var.chmod(0o755)
    (var / "db.sqlite3").chmod(0o644)
    run(var, "check")
    assert mode(var) == 0o700 and mode(var / "db.sqlite3") == 0o600
