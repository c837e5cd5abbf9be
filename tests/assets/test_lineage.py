import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.models import Asset, AssetLink
from apps.assets.selectors import asset_lineage

pytestmark = pytest.mark.django_db


def test_edit_links_the_new_asset_to_its_source(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    url = f"/api/v1/projects/{project.id}/generations/"
    first = client.get(f"/api/v1/generations/{client.post(url, {'prompt': 'a red chair'}, format='json').json()['id']}/").json()
    source = first["assets"][0]["id"]
    edit = client.post(url, {"kind": "edit", "prompt": "make the chair blue", "source_assets": [source]}, format="json")
    assert edit.status_code == 201, edit.json()
    edited = client.get(f"/api/v1/generations/{edit.json()['id']}/").json()
    assert edited["status"] == "succeeded" and edited["source_assets"] == [source]
    child = edited["assets"][0]["id"]

    lineage = client.get(f"/api/v1/assets/{child}/lineage/").json()
    assert {n["id"] for n in lineage["nodes"]} == {source, child}
    assert lineage["edges"] == [{"from": child, "to": source, "relation": "edited_from"}]
    # Seen from the parent, the child is a descendant.
    assert client.get(f"/api/v1/assets/{source}/lineage/").json()["edges"] == lineage["edges"]
    # The emulator received the source image with the instruction.
    assert upstream.state.log[-1]["input_images"] == 1


def chain(project, length: int) -> Asset:
    previous = None
    for i in range(length):
        asset = Asset.objects.create(project=project, file=f"x/{i}.png", mime_type="image/png", width=1, height=1, size_bytes=1, sha256="0" * 64)
        if previous is not None:
            AssetLink.objects.create(child=asset, parent=previous, relation="edited_from")
        previous = asset
    return previous


def count_queries(asset) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        lineage = asset_lineage(asset)
    return len(queries), len(lineage.assets)


def test_lineage_query_count_does_not_grow_with_depth(project):
    from tests.factories import ProjectFactory

    short_count, short_nodes = count_queries(chain(project, 3))
    long_count, long_nodes = count_queries(chain(ProjectFactory(), 50))
    assert (short_nodes, long_nodes) == (3, 50)
    assert short_count == long_count
