import pytest

from apps.generations.models import Generation

pytestmark = pytest.mark.django_db


def test_job_creation_is_throttled_per_user_with_retry_after(api, project, editor, settings, upstream):
    from apps.core.throttling import JobCreationThrottle

    JobCreationThrottle.THROTTLE_RATES = {"job_creation": "2/min"}
    try:
        client = api(editor)
        url = f"/api/v1/projects/{project.id}/generations/"
        codes = [client.post(url, {"prompt": "x"}, format="json").status_code for _ in range(3)]
        refused = client.post(url, {"prompt": "x"}, format="json")
        assert codes == [201, 201, 429]
        assert int(refused["Retry-After"]) > 0 and refused.json()["error"]["code"] == "throttled"
        assert client.get(url).status_code == 200  # reading is never throttled
    finally:
        JobCreationThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


def test_monthly_budget_refuses_jobs_once_spent(api, project, owner, editor, upstream, run_tasks_inline):
    response = api(owner).patch(f"/api/v1/projects/{project.id}/", {"monthly_budget_usd": "0.20"}, format="json")
    assert response.status_code == 200 and response.json()["monthly_budget_usd"] == "0.20"
    client = api(editor)
    url = f"/api/v1/projects/{project.id}/generations/"
    assert client.post(url, {"prompt": "x", "image_size": "2K"}, format="json").status_code == 201  # $0.101
    refused = client.post(url, {"prompt": "x", "image_size": "2K"}, format="json")  # would be $0.202
    assert refused.status_code == 402
    assert refused.json()["error"]["code"] == "budget_exceeded" and "0.20" in refused.json()["error"]["message"]
    assert client.post(url, {"prompt": "x", "image_size": "512"}, format="json").status_code == 201  # $0.045 fits
    assert Generation.objects.count() == 2
