"""A campaign can say whether its images must carry the logo, whatever the brand kit says: a
campaign for a co-branded event may leave it out, a retail campaign may insist on it."""

import pytest

from apps.assets.models import Asset
from tests.campaigns.helpers import campaign_body, library
from tests.checks.helpers import announce, house_kit

pytestmark = pytest.mark.django_db(transaction=True)


def logo_reading(api, editor, project, *, logo_required, copy):
    character, products = library(project)
    body = campaign_body(character, products, languages=[], copy=copy, variations=1, logo_required=logo_required,
                         draft={"model": "nano-banana-2", "image_size": "1K"})
    created = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", body, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["logo_required"] is logo_required
    ran = api(editor).post(f"/api/v1/campaigns/{created.json()['id']}/run/", {"stage": "drafts"}, format="json")
    assert ran.status_code == 201, ran.json()
    asset = Asset.objects.get(generation__campaign_job__cell__campaign_id=created.json()["id"])
    announce([asset.pk])
    results = api(editor).get(f"/api/v1/assets/{asset.pk}/checks/").json()["results"]
    return next(r for r in results if r["check"] == "logo")


def test_a_campaign_that_requires_the_logo_fails_an_image_without_it_though_the_kit_does_not(api, owner, editor, project, upstream, run_tasks_inline):
    house_kit(api, owner, project, logo_required=False)
    logo = logo_reading(api, editor, project, logo_required=True, copy="Run brighter [fault:nologo]")
    assert logo["outcome"] == "fail" and logo["message"] == "The logo was not found in the image; the campaign requires it."


def test_a_campaign_that_does_not_require_the_logo_passes_an_image_without_it_though_the_kit_does(api, owner, editor, project, upstream, run_tasks_inline):
    house_kit(api, owner, project)  # the kit requires the logo
    logo = logo_reading(api, editor, project, logo_required=False, copy="Run brighter [fault:nologo]")
    assert logo["outcome"] == "pass" and logo["figures"]["required"] is False
