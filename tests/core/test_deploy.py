import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_check_deploy(tmp_path):
    env = {**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, "HTTPS": "true", "SECRET_KEY": "x" * 60 + "production-like-key-with-entropy", "VAR_DIR": str(tmp_path), "DEBUG": "false"}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_debug_is_off_unless_asked():
    from django.conf import settings

    assert os.environ.get("DEBUG") or settings.DEBUG is False
