"""Issue 29 item 7: campaign creation, campaign stage runs and the refine page's send draw on the
per-person job allowance the generation endpoints have, by jobs, not by requests."""

import pytest
from django.core.cache import cache

from apps.core.throttling import JobCreationThrottle
from apps.generations.models import Generation
from tests.campaigns.helpers import campaign_body, library
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


@pytest.fixture
def allowance(settings):
    """Ten jobs a minute per person."""
    JobCreationThrottle.THROTTLE_RATES = {"job_creation": "10/min"}
    yield 10
    JobCreationThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]


def campaign(api, editor, project, products: int):
    character, made = library(project, products=products)
    body = campaign_body(character, made, formats=["4:5", "9:16"], languages=[], copy_by_language={}, variations=2)
    created = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    return created.json()["id"]


def test_a_stage_run_bigger_than_the_allowance_needs_it_full_and_then_costs_its_wait(api, project, editor, upstream, allowance):
    big = campaign(api, editor, project, products=6)  # 6 products x 2 formats = 12 drafts jobs, more than the 10 it holds
    cache.clear()  # a minute later: the allowance is full again
    run = api(editor).post(f"/api/v1/campaigns/{big}/run/", {"stage": "drafts"}, format="json")
    assert run.status_code == 201 and run.json()["jobs_created"] == 12
    refused = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x"}, format="json")
    assert refused.status_code == 429
    assert 17 <= int(refused["Retry-After"]) <= 19  # 12 jobs drawn from 10: 3 jobs' refill at 10/min before the next one
    assert Generation.objects.filter(campaign_job__isnull=True).count() == 0


def test_a_stage_run_larger_than_whats_left_is_refused_whole_naming_jobs_and_limit(api, project, editor, upstream, allowance):
    run_me = campaign(api, editor, project, products=3)  # 6 drafts jobs; the campaign itself took 1
    for _ in range(4):  # 4 more: 5 left
        assert api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "x"}, format="json").status_code == 201
    refused = api(editor).post(f"/api/v1/campaigns/{run_me}/run/", {"stage": "drafts"}, format="json")
    assert refused.status_code == 429 and 0 < int(refused["Retry-After"]) <= 60
    error = refused.json()["error"]
    assert error["code"] == "throttled" and "6 jobs" in error["message"] and "10 jobs per 60 s" in error["message"]
    assert error["details"]["jobs"] == 6 and error["details"]["limit"] == 10
    assert Generation.objects.filter(campaign_job__isnull=False).count() == 0
    assert api(editor).post(f"/api/v1/campaigns/{run_me}/run/", {"stage": "drafts", "dry_run": True}, format="json").status_code == 200


def test_creating_campaigns_draws_on_the_allowance(api, project, editor, allowance):
    character, made = library(project, products=1)
    url = f"/api/v1/projects/{project.id}/campaigns/"
    codes = [api(editor).post(url, campaign_body(character, made), format="json").status_code for _ in range(11)]
    assert codes == [201] * 10 + [429]


def test_the_refine_page_send_draws_on_the_allowance(client, project, editor, upstream, allowance):
    asset = stored_asset(project, user=editor)
    client.force_login(editor)
    for n in range(10):
        sent = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": f"warmer {n}", "request_key": f"k{n}"}, HTTP_HX_REQUEST="true")
        assert sent.status_code == 200
    refused = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "one more", "request_key": "k10"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400 and "creating jobs too fast" in refused.content.decode()
    assert Generation.objects.filter(kind="refine").count() == 10
