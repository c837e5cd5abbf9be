"""The Refine panel as the server renders it (the browser test drives it for real)."""

import pytest

from apps.generations.models import Generation
from tests.factories import ProjectFactory, stored_asset

pytestmark = pytest.mark.django_db


def test_asset_page_loads_the_panel_and_the_panel_shows_the_form_to_editors_only(client, editor, viewer, project):
    asset = stored_asset(project, user=editor)
    client.force_login(editor)
    page = client.get(f"/assets/{asset.pk}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'hx-get="/assets/{asset.pk}/refine/"' in html and "js/refine.js" in html
    assert "<script>" not in html.split("js/refine.js")[0].rsplit("</h2>", 1)[-1]  # no inline script from the panel

    panel = client.get(f"/assets/{asset.pk}/refine/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'id="refine-prompt"' in panel.content.decode()

    client.force_login(viewer)
    panel = client.get(f"/assets/{asset.pk}/refine/", HTTP_HX_REQUEST="true")
    assert panel.status_code == 200 and 'id="refine-prompt"' not in panel.content.decode()
    refused = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "warmer"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 403 and not Generation.objects.exists()


def test_outsiders_get_404_for_the_panel_and_a_turn_of_another_project(client, editor, outsider, project):
    asset = stored_asset(project, user=editor)
    client.force_login(outsider)
    assert client.get(f"/assets/{asset.pk}/refine/").status_code == 404
    assert client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "x"}).status_code == 404
    client.force_login(editor)
    assert client.get(f"/assets/{asset.pk}/refine/?turn=not-a-uuid").status_code == 404
    elsewhere = stored_asset(ProjectFactory(), user=outsider)
    sent = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "x", "target": str(elsewhere.pk)})
    assert sent.status_code == 404 and not Generation.objects.exists()


def test_sending_shows_the_new_turn_and_a_refusal_keeps_the_words(client, editor, project, upstream, run_tasks_inline):
    asset = stored_asset(project, user=editor)
    client.force_login(editor)

    sent = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "make it a watercolour", "request_key": "k1"}, HTTP_HX_REQUEST="true")

    assert sent.status_code == 200
    html = sent.content.decode()
    assert "make it a watercolour" in html and 'data-status="succeeded"' in html
    job = Generation.objects.get(kind="refine")
    assert f'name="target" value="{job.assets.get().pk}"' in html  # the next instruction refines the newest image
    assert f'<a href="/assets/{asset.pk}/" aria-current="true">' in html  # the page's own asset is marked

    refused = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "wider", "aspect_ratio": "7:3"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 400
    assert "does not support aspect ratio" in refused.content.decode() and ">wider</textarea>" in refused.content.decode()


def test_a_failed_turn_shows_why_and_the_next_instruction_refines_the_image_before_it(client, editor, project, upstream, run_tasks_inline):
    asset = stored_asset(project, user=editor)
    client.force_login(editor)

    sent = client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "warmer [fault:400]"}, HTTP_HX_REQUEST="true")

    html = sent.content.decode()
    assert sent.status_code == 200 and 'data-status="failed"' in html and "Failed (invalid_request)" in html
    assert f'name="target" value="{asset.pk}"' in html


def test_the_panel_of_an_earlier_turn_says_refining_it_branches_and_lists_the_branch(client, editor, project, upstream, run_tasks_inline):
    asset = stored_asset(project, user=editor)
    client.force_login(editor)
    client.post(f"/assets/{asset.pk}/refine/send/", {"prompt": "make it a watercolour"}, HTTP_HX_REQUEST="true")
    first = Generation.objects.get(kind="refine").assets.get()
    client.post(f"/assets/{first.pk}/refine/send/", {"prompt": "add a red boat"}, HTTP_HX_REQUEST="true")

    html = client.get(f"/assets/{first.pk}/refine/", HTTP_HX_REQUEST="true").content.decode()

    assert "refining here starts a branch" in html
    assert "After turn 1:" in html and "add a red boat" in html
    assert f'name="target" value="{first.pk}"' in html
