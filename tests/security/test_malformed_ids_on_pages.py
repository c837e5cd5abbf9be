"""Issue 29 item 11: an id parameter on a page that is not an id answers 400 (or 404), never 500."""

import pytest

from apps.campaigns.models import Cell
from tests.campaigns.helpers import campaign_body, library
from tests.factories import stored_asset

pytestmark = pytest.mark.django_db

NOT_AN_ID = "x" * 36  # as long as a UUID, which the old length check let through


@pytest.fixture
def pages(client, api, project, owner, editor):
    """The owner signed in on a project with a pending asset and a campaign cell."""
    asset = stored_asset(project, user=editor)
    character, products = library(project)
    created = api(editor).post(f"/api/v1/projects/{project.id}/campaigns/", campaign_body(character, products), format="json")
    cell = Cell.objects.get(campaign_id=created.json()["id"])
    client.force_login(owner)
    client.raise_request_exception = False
    return {"client": client, "project": project, "asset": asset, "campaign": created.json()["id"], "cell": cell}


@pytest.mark.parametrize(("method", "url", "data"), [
    ("post", "/projects/{project}/review/", {"asset": "nope", "decision": "approve"}),
    ("post", "/projects/{project}/review/", {"asset": NOT_AN_ID, "decision": "approve"}),
    ("get", "/projects/{project}/review/?skip=" + NOT_AN_ID, None),
    ("get", "/projects/{project}/review/?skip=nope", None),
    ("post", "/campaigns/{campaign}/cells/{cell}/", {"asset": "nope"}),
    ("post", "/campaigns/{campaign}/cells/{cell}/", {"asset": NOT_AN_ID}),
    ("get", "/assets/{asset}/refine/?turn=" + NOT_AN_ID, None),
    ("get", "/projects/{project}/generate/?from=nope&reference=nope", None),
    ("get", "/projects/{project}/gallery/?after=nope|nope", None),
    ("post", "/campaigns/{campaign}/decide/", {"asset": "nope", "decision": "approve"}),
])
def test_a_malformed_id_is_the_callers_mistake_not_a_server_error(pages, method, url, data):
    url = url.format(project=pages["project"].id, campaign=pages["campaign"], cell=pages["cell"].pk, asset=pages["asset"].pk)
    response = getattr(pages["client"], method)(url, data) if data else getattr(pages["client"], method)(url)
    assert response.status_code in (200, 400, 404), (url, response.status_code)
    if "review" in url or "cells" in url:
        assert response.status_code == 400 and "must be an id (a UUID)" in response.content.decode()
