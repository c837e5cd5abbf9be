"""Item 4 of issue 18: the compose setup cannot start with default secrets or internal services on
public interfaces, and a shared deployment without SECRET_KEY stops at startup saying what to set."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_TEXT = (ROOT / "platform" / "compose.yaml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SECRETS = ["SECRET_KEY", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "MINIO_ROOT_USER", "MINIO_ROOT_PASSWORD", "MINIO_APP_SECRET_KEY"]


@pytest.mark.parametrize("name", SECRETS)
def test_every_use_of_a_secret_refuses_to_start_without_it(name):
    uses = re.findall(r"(?<!\$)\$\{" + name + r"(\W[^}]*)?\}", COMPOSE_TEXT)
    assert uses, f"{name} is never used"
    assert all(use.startswith(":?") for use in uses), f"{name} has a default or may be empty: {uses}"


def test_no_default_secret_is_left_in_the_file():
    for leftover in ("change-me", "brand:brand@", "POSTGRES_PASSWORD: brand"):
        assert leftover not in COMPOSE_TEXT


def test_internal_services_are_on_the_internal_network_only():
    services, networks = COMPOSE["services"], COMPOSE["networks"]
    assert networks["backend"]["internal"] is True
    for name in ("postgres", "redis"):
        assert services[name]["networks"] == ["backend"] and "ports" not in services[name]
    for name, service in services.items():
        for port in service.get("ports", []):
            host = port.split(":")[0]
            assert host == "127.0.0.1" or port.startswith("${WEB_PUBLISH:-127.0.0.1:"), f"{name} publishes {port} beyond loopback"


def test_the_app_uses_its_own_storage_key_not_minios_root():
    app_env = COMPOSE["x-app"]["environment"]
    assert "MINIO_ROOT" not in app_env["AWS_ACCESS_KEY_ID"] + app_env["AWS_SECRET_ACCESS_KEY"]
    assert "MINIO_APP_SECRET_KEY" in app_env["AWS_SECRET_ACCESS_KEY"]
    bucket = " ".join(COMPOSE["services"]["bucket"]["command"])
    assert "mc admin user add" in bucket and "arn:aws:s3:::brand-assets/*" in bucket and "s3:*" not in bucket


def manage_check(**env_changes):
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "MULTI_PROCESS", "DEBUG")}
    env.update(env_changes)
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True)


def test_a_shared_database_without_secret_key_stops_at_startup_naming_what_to_set(tmp_path):
    result = manage_check(VAR_DIR=str(tmp_path), DATABASE_URL="postgres://app:pw@127.0.0.1:1/brandimages")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr and "set SECRET_KEY to one long random value" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_multi_process_on_sqlite_needs_the_key_too(tmp_path):
    assert "SECRET_KEY is not set" in manage_check(VAR_DIR=str(tmp_path), MULTI_PROCESS="true").stderr


@pytest.mark.parametrize("env", [{}, {"DEBUG": "true", "DATABASE_URL": "postgres://app:pw@127.0.0.1:1/x"}, {"SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://app:pw@127.0.0.1:1/x"}])
def test_the_embedded_profile_debug_and_a_set_key_start(tmp_path, env):
    result = manage_check(VAR_DIR=str(tmp_path), **env)
    assert result.returncode == 0, result.stderr


def test_check_deploy_is_clean_with_the_compose_environment(tmp_path):
    """The app's environment in platform/compose.yaml, secrets filled in, behind TLS (HTTPS=true)."""

    def resolve(value: str) -> str:
        value = re.sub(r"\$\{(\w+):\?[^}]*\}", lambda m: f"{m.group(1).lower()}-" + "x" * 50, str(value))
        return re.sub(r"\$\{\w+:-([^}]*)\}", lambda m: m.group(1), value)

    app_env = {name: resolve(value) for name, value in COMPOSE["x-app"]["environment"].items()}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT, capture_output=True, text=True,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "CELERY_", "CACHE_", "DATABASE_", "DJANGO_ALLOW_ASYNC"))},
             **app_env, "HTTPS": "true", "VAR_DIR": str(tmp_path)},  # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for this process)
    )
    assert result.returncode == 0, result.stdout + result.stderr
