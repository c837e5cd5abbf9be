"""near_duplicate: an image nearly the same as one the project already approved or rejected is
flagged; a campaign's own versions (its formats and languages of one shot look alike by design)
are not flagged against each other."""

import pytest

from apps.assets.models import Asset, ReviewStatus
from apps.checks.services import check_run
from tests.factories import stored_asset
from tests.workflow.helpers import campaign_with_drafts

pytestmark = pytest.mark.django_db


def near_duplicate(asset) -> dict:
    return next(r for r in check_run(asset.pk).results if r["check"] == "near_duplicate")


def approve(asset) -> None:
    check_run(asset.pk)
    Asset.objects.filter(pk=asset.pk).update(review_status=ReviewStatus.APPROVED)


def test_an_image_like_an_approved_one_is_flagged_with_the_asset_it_resembles(project, editor):
    approved = stored_asset(project, user=editor, width=64, height=64)
    approve(approved)

    result = near_duplicate(stored_asset(project, user=editor, width=64, height=64))

    assert result["outcome"] == "warn", result
    assert result["figures"]["closest_asset"] == str(approved.pk) and result["figures"]["closest_distance"] == 0
    assert "already approved" in result["message"]


def test_a_campaign_s_versions_are_not_flagged_against_each_other_but_an_outsider_is(project, editor):
    campaign = campaign_with_drafts(project, editor, drafts=2)
    first, second = Asset.objects.filter(generation__campaign_job__cell__campaign=campaign)
    approve(first)

    assert near_duplicate(second)["outcome"] == "pass"
    outsider = stored_asset(project, user=editor, width=64, height=64)
    assert near_duplicate(outsider)["outcome"] == "warn"
