"""Content Credentials made ahead: approving an asset signs its copy on the renditions queue, so an
export finds it ready and signs nothing; a later decision (what the credentials record) makes a new
copy in place of the old one."""

import logging

import pytest

from apps.assets.credentials import SPEC_PREFIX, sign_ahead
from apps.assets.models import Rendition
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db


def signed_copies(asset) -> list[str]:
    return list(Rendition.objects.filter(asset=asset, spec__startswith=SPEC_PREFIX).values_list("spec", flat=True))


def test_approving_signs_ahead_and_the_export_signs_nothing(api, project, editor, reviewer, run_tasks_inline, caplog):
    asset = stored_asset(project, user=editor)
    assert signed_copies(asset) == []
    assert api(reviewer).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "approve"}, format="json").status_code == 201
    assert len(signed_copies(asset)) == 1

    caplog.clear()
    with caplog.at_level(logging.INFO, logger="apps.assets.credentials"):
        response = api(editor).get(f"/api/v1/projects/{project.id}/exports/")
        b"".join(response.streaming_content)
    assert response.status_code == 200
    assert not [r for r in caplog.records if r.getMessage().startswith("signed Content Credentials")]


def test_a_later_decision_remakes_the_copy_and_a_pending_one_is_not_signed(api, project, editor, reviewer, owner, run_tasks_inline):
    asset = stored_asset(project, user=editor)
    api(reviewer).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "request_changes", "comment": "warmer"}, format="json")
    assert signed_copies(asset) == []  # not approved: nothing to deliver yet
    api(reviewer).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "approve"}, format="json")
    [first] = signed_copies(asset)
    api(owner).post(f"/api/v1/assets/{asset.pk}/reviews/", {"decision": "approve", "comment": "me too"}, format="json")
    [second] = signed_copies(asset)
    assert second != first  # the second approval is in the new copy's history; the old copy is gone


def test_without_a_signer_nothing_is_made_and_the_log_says_why(project, editor, settings, caplog):
    asset = stored_asset(project, user=editor)
    settings.C2PA_SIGNING_CERT, settings.C2PA_SIGNING_KEY = "/nonexistent/cert.pem", "/nonexistent/key.pem"
    with caplog.at_level(logging.WARNING, logger="apps.assets.credentials"):
        assert sign_ahead(asset.pk) is None
    assert "not signed ahead" in caplog.text
    assert signed_copies(asset) == []
