"""Issue 29 items 6 and 12: what the compose deployment does with no signing certificate and no
mail server. Exports refuse before streaming (503 `credentials_unavailable` naming what to set),
/readyz says signing is unavailable, compose makes and keeps a development signer and says so;
with no EMAIL_URL a shared deployment sends nothing and logs no accept link."""

import logging
import os
import re
import subprocess
import sys

import pytest
from django.core import mail

from apps.assets.models import Asset, ReviewStatus
from apps.core import mail as core_mail
from tests.campaigns.helpers import campaign_body, library
from tests.factories import stored_asset
from tests.security.test_deployment import COMPOSE, ROOT

pytestmark = pytest.mark.django_db


@pytest.fixture
def no_signer(settings, tmp_path):
    """The compose settings before this fix: no C2PA_SIGNING_CERT and no development signer."""
    settings.C2PA_SIGNING_CERT = settings.C2PA_SIGNING_KEY = ""
    settings.C2PA_DEV_DIR = tmp_path / "c2pa-empty"


def assert_refused_before_streaming(response):
    assert response.status_code == 503 and not response.streaming
    error = response.json()["error"]
    assert error["code"] == "credentials_unavailable"
    assert "C2PA_SIGNING_CERT" in error["message"] and "c2pa_dev_certificate" in error["message"]


def test_the_project_export_refuses_before_streaming(api, project, editor, no_signer):
    asset = stored_asset(project)
    Asset.objects.filter(pk=asset.pk).update(review_status=ReviewStatus.APPROVED)
    assert_refused_before_streaming(api(editor).get(f"/api/v1/projects/{project.id}/exports/"))


def test_the_campaign_export_refuses_before_streaming(api, project, editor, no_signer):
    character, products = library(project)
    created = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json")
    assert created.status_code == 201, created.json()
    assert_refused_before_streaming(api(editor).get(f"/api/v1/campaigns/{created.json()['id']}/export/"))


def test_the_gallery_download_says_why_instead_of_a_broken_zip(client, project, editor, no_signer):
    asset = stored_asset(project)
    client.force_login(editor)
    response = client.post(f"/projects/{project.id}/gallery/selection/", {"assets": [str(asset.pk)], "action": "download"})
    assert response.status_code == 503 and not response.streaming
    assert "C2PA_SIGNING_CERT" in response.content.decode()


def test_readyz_reports_signing_unavailable_without_going_unready(client, no_signer):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json()["unavailable"] == ["signing"]
    assert "C2PA_SIGNING_CERT" in response.json()["unavailable_because"]["signing"]  # details: loopback callers only


def test_readyz_is_quiet_when_signing_works(client):
    assert "unavailable" not in client.get("/readyz").json()


def test_compose_makes_and_keeps_a_development_signer_shared_by_every_app_container():
    services = COMPOSE["services"]
    assert "c2pa_dev_certificate" in " ".join(services["migrate"]["command"])
    for name in ("migrate", "web", "worker", "renditions", "webhooks", "scheduler"):
        volumes = services[name].get("volumes", COMPOSE["x-app"]["volumes"])
        assert "c2pa:/app/var/c2pa" in volumes, name
    assert "c2pa" in COMPOSE["volumes"]


def test_the_signer_command_says_which_signer_is_used(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("C2PA_", "DATABASE_", "SECRET_KEY", "MULTI_PROCESS"))}
    run = lambda **extra: subprocess.run(  # noqa: E731
        [sys.executable, "manage.py", "c2pa_dev_certificate"], cwd=ROOT, capture_output=True, text=True,
        env={**env, "VAR_DIR": str(tmp_path), **extra},
    )
    first = run()
    assert first.returncode == 0 and "development certificate made now" in first.stderr and "untrusted" in first.stderr
    assert (tmp_path / "c2pa" / "signer-chain.pem").is_file()
    assert "development certificate kept" in run().stderr
    configured = run(C2PA_SIGNING_CERT=str(tmp_path / "c2pa" / "signer-chain.pem"), C2PA_SIGNING_KEY=str(tmp_path / "c2pa" / "signer-key.pem"))
    assert "signed with the certificate in C2PA_SIGNING_CERT" in configured.stdout and configured.stderr == ""


# --- item 12: invitation links never reach the log


def test_a_shared_deployment_without_email_url_uses_the_not_configured_backend(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EMAIL_", "DATABASE_", "MULTI_PROCESS", "DEBUG"))}
    show = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    shared = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", show], cwd=ROOT, capture_output=True, text=True,
        env={**env, "VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://app:pw@127.0.0.1:1/x"},
    )
    assert shared.stdout.strip().splitlines()[-1] == "apps.core.mail.MailNotConfiguredBackend", shared.stderr
    configured = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", show], cwd=ROOT, capture_output=True, text=True,
        env={**env, "VAR_DIR": str(tmp_path), "SECRET_KEY": "k" * 50, "DATABASE_URL": "postgres://app:pw@127.0.0.1:1/x",
             "EMAIL_URL": "smtp+tls://u:p@smtp.example.com:587"},
    )
    assert configured.stdout.strip().splitlines()[-1] == "django.core.mail.backends.smtp.EmailBackend", configured.stderr


@pytest.mark.django_db(transaction=True)
def test_without_mail_an_invitation_logs_that_mail_is_off_and_never_its_link(api, project, owner, settings, caplog, capsys):
    settings.EMAIL_BACKEND = "apps.core.mail.MailNotConfiguredBackend"
    with caplog.at_level(logging.WARNING, logger=core_mail.__name__):
        answer = api(owner).post(f"/api/v1/projects/{project.id}/members/", {"email": "carla@example.com", "role": "owner"}, format="json")
    assert answer.status_code == 202
    logged = caplog.text + capsys.readouterr().out
    assert "Mail is not configured (EMAIL_URL is unset)" in logged and "EMAIL_URL" in logged
    assert not re.search(r"/invitations/[\w-]{20,}/", logged) and "carla@example.com" not in logged
    assert mail.outbox == []
