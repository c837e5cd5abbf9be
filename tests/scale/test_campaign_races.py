"""Stage runs racing on PostgreSQL through gunicorn: the project row lock makes a stage's
planning and its budget check one step, so parallel presses neither duplicate jobs nor
overshoot the budget."""

from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from apps.generations.models import Generation
from apps.projects.models import Project

pytestmark = [pytest.mark.scale, pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def campaign(rest, project_id, products: list, name: str) -> str:
    body = {"name": name, "products": products, "scenes": ["a park", "a trail"], "formats": ["4:5", "9:16"], "variations": 1}
    created = rest.post(f"/api/v1/projects/{project_id}/campaigns/", body)
    assert created.status_code == 201, created.text
    return created.json()["id"]


def press_together(rest, campaign_ids: list, times: int) -> list:
    with ThreadPoolExecutor(max_workers=len(campaign_ids) * times) as pool:
        futures = [pool.submit(rest.post, f"/api/v1/campaigns/{cid}/run/", {"stage": "drafts"}) for cid in campaign_ids for _ in range(times)]
        return [future.result() for future in futures]


def test_parallel_presses_of_one_stage_create_its_jobs_once(rest):
    project = rest.post("/api/v1/projects/", {"name": "Race"}).json()
    products = [rest.post(f"/api/v1/projects/{project['id']}/objects/", {"name": f"P{i}"}).json()["id"] for i in range(2)]
    campaign_id = campaign(rest, project["id"], products, "once")

    answers = press_together(rest, [campaign_id], times=8)

    assert sorted(a.status_code for a in answers) == [200] * 7 + [201]
    assert sum(a.json()["jobs_created"] for a in answers) == 8
    assert Generation.objects.filter(campaign_job__cell__campaign_id=campaign_id).count() == 8


def test_parallel_stages_of_two_campaigns_cannot_both_fit_the_last_dollars(rest):
    project = rest.post("/api/v1/projects/", {"name": "Budget race"}).json()
    products = [rest.post(f"/api/v1/projects/{project['id']}/objects/", {"name": f"P{i}"}).json()["id"] for i in range(2)]
    first, second = campaign(rest, project["id"], products, "a"), campaign(rest, project["id"], products, "b")
    # One drafts stage is 8 images at $0.045 = $0.36; the budget holds one stage, not two.
    Project.objects.filter(pk=project["id"]).update(monthly_budget_usd=Decimal("0.50"))

    answers = press_together(rest, [first, second], times=3)

    assert sorted(a.status_code for a in answers).count(201) == 1
    assert all(a.status_code in (200, 201, 402) for a in answers)
    refused = [a.json()["error"] for a in answers if a.status_code == 402]
    assert refused and all(error["details"]["jobs"] == 8 and error["details"]["estimate_usd"] == "0.360" for error in refused)
    assert Generation.objects.filter(project_id=project["id"]).count() == 8
