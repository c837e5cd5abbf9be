import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _environment(tmp_path, **extra) -> dict:
    """This process's environment without what pytest and the developer's shell add."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "DEBUG")}
    return {**env, "VAR_DIR": str(tmp_path), **extra}


def test_production_settings_pass_check_deploy(tmp_path):
    env = _environment(tmp_path, HTTPS="true", SECRET_KEY="x" * 60 + "production-like-key-with-entropy", DEBUG="false")
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_asked(tmp_path):
    """Read in a fresh process: pytest-django forces DEBUG off in this one, so asking here proves nothing."""
    ask = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    run = lambda **extra: subprocess.run(  # noqa: E731
        [sys.executable, "-c", ask], cwd=ROOT, env=_environment(tmp_path, DJANGO_SETTINGS_MODULE="config.settings", **extra),
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    assert run() == "False"
    assert run(DEBUG="true") == "True"  # the switch works, so the first answer is the default's
