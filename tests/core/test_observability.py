import json
import logging

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert {name for name, check in ready.json()["checks"].items() if check["ok"]} == {"database", "broker", "storage"}


def test_readyz_names_what_is_down(client, settings, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(blocker)}}}
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["storage"]["ok"] is False


def test_metrics_report_jobs_and_queue_depth(client, api, editor, project, upstream):
    api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x"}, format="json")
    text = client.get("/metrics").content.decode()
    assert 'brand_generations{status="queued"} 1.0' in text
    assert 'brand_queue_depth{queue="generations"}' in text


def test_json_logs_carry_job_and_project_ids(api, editor, project, upstream, run_tasks_inline, settings, capsys):
    from pythonjsonlogger.json import JsonFormatter

    from apps.core.observability import JobContextFilter

    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter("%(levelname)s %(name)s %(message)s"))
    handler.addFilter(JobContextFilter())
    logger = logging.getLogger("apps.generations.engine")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        job = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x"}, format="json").json()
    finally:
        logger.removeHandler(handler)
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [finished] = [line for line in lines if line.get("message") == "generation succeeded"]
    assert finished["job_id"] == job["id"] and finished["project_id"] == str(project.id)
