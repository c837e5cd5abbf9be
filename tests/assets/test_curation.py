"""Titles, tags, favourites, prompt search and bulk actions on the gallery selection."""

import io
import json
import zipfile

import pytest
from django.urls import reverse

from apps.approvals.models import ReviewPolicy
from apps.assets.credentials import credentialed_file
from apps.assets.models import Asset, AssetTag, Favourite
from apps.generations.models import Generation
from tests.factories import member, stored_asset

pytestmark = pytest.mark.django_db


def _made_by_job(project, user, prompt, **fields):
    job = Generation.objects.create(project=project, prompt=prompt, model="gemini-3.1-flash-image-preview", aspect_ratio="1:1",
                                    image_size="512", created_by=user, status="succeeded", **fields)
    return stored_asset(project, user=user, generation=job)


def test_the_title_defaults_to_the_start_of_the_prompt_and_can_be_set(client, project, editor):
    asset = _made_by_job(project, editor, "A teal bottle on a white marble table, morning light, soft shadows, product shot for the spring range")
    assert asset.display_title == "A teal bottle on a white marble table, morning light, soft shadows, product shot…"
    client.force_login(editor)
    response = client.post(reverse("asset-page", args=[asset.pk]), {"form": "details", "title": "Hero bottle", "tags": "Summer, hero ,summer"})
    assert response.status_code == 302
    asset.refresh_from_db()
    assert asset.title == "Hero bottle"
    assert sorted(AssetTag.objects.filter(asset=asset).values_list("name", flat=True)) == ["hero", "summer"]
    page = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
    assert "<h1>Hero bottle</h1>" in page and "#summer" in page


def test_a_tag_over_the_limit_is_refused_naming_limit_and_length(client, project, editor):
    asset = stored_asset(project, user=editor)
    client.force_login(editor)
    response = client.post(reverse("asset-page", args=[asset.pk]), {"form": "details", "title": "", "tags": "x" * 41})
    assert response.status_code == 400
    assert "Tags are at most 40 characters" in response.content.decode() and "has 41" in response.content.decode()
    assert not AssetTag.objects.exists()


def test_a_viewer_may_star_but_not_retitle(client, project, viewer):
    asset = stored_asset(project)
    client.force_login(viewer)
    assert client.post(reverse("asset-page", args=[asset.pk]), {"form": "details", "title": "mine", "tags": ""}).status_code == 403
    response = client.post(reverse("asset-favourite", args=[asset.pk]), {"on": "1"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'aria-pressed="true"' in response.content.decode()
    assert Favourite.objects.filter(user=viewer, asset=asset).exists()
    client.post(reverse("asset-favourite", args=[asset.pk]), {"on": "0"})
    assert not Favourite.objects.exists()


def test_outsiders_cannot_star(client, project, outsider):
    asset = stored_asset(project)
    client.force_login(outsider)
    assert client.post(reverse("asset-favourite", args=[asset.pk]), {"on": "1"}).status_code == 404
    assert not Favourite.objects.exists()


def test_gallery_searches_prompts_and_filters_tags_favourites_and_variations(client, project, editor):
    bottle = _made_by_job(project, editor, "teal bottle on the beach")
    mug = _made_by_job(project, editor, "a red mug")
    variation_job = Generation.objects.create(project=project, prompt="teal bottle again", model="m", aspect_ratio="1:1", image_size="512", created_by=editor)
    variation_job.sources.create(asset=bottle, position=0)
    variation = stored_asset(project, user=editor, generation=variation_job, parents=[(bottle, "composed_from")])
    AssetTag.objects.create(asset=mug, name="summer")
    Favourite.objects.create(user=editor, asset=mug)
    client.force_login(editor)
    url = reverse("gallery", args=[project.pk])

    def shown(**query):
        return {a.pk for a in client.get(url, query).context["assets"]}

    assert shown(search="TEAL bottle") == {bottle.pk, variation.pk}
    assert shown(tag="summer") == {mug.pk}
    assert shown(favourites="on") == {mug.pk}
    assert shown(kind="variation") == {variation.pk}
    assert shown(kind="generate") == {bottle.pk, mug.pk}
    page = client.get(url, {"search": "teal"}).content.decode()
    assert "2 assets match these filters" in page
    assert "Variation" in page


def test_a_from_date_after_the_to_date_is_named_and_filters_nothing(client, project, viewer):
    stored_asset(project)
    client.force_login(viewer)
    response = client.get(reverse("gallery", args=[project.pk]), {"created_from": "2026-05-02", "created_to": "2026-05-01"})
    assert "“To” (2026-05-01) is before “From” (2026-05-02)" in response.content.decode()
    assert len(response.context["assets"]) == 1


def test_bulk_tag_and_zip_download_of_a_selection(client, project, editor):
    chosen = [stored_asset(project, user=editor) for _ in range(2)]
    other = stored_asset(project, user=editor)
    client.force_login(editor)
    url = reverse("gallery-bulk", args=[project.pk])
    ids = [str(a.pk) for a in chosen]
    response = client.post(url, {"action": "tag", "assets": ids, "tags": "launch, de"})
    assert response.status_code == 302
    assert set(AssetTag.objects.values_list("asset_id", "name")) == {(a.pk, t) for a in chosen for t in ("launch", "de")}

    response = client.post(url, {"action": "download", "assets": ids})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert {entry["id"] for entry in manifest["assets"]} == set(ids) and str(other.pk) not in json.dumps(manifest)
    for entry in manifest["assets"]:
        stored = Asset.objects.get(pk=entry["id"])  # the file carries its Content Credentials, like every download
        assert archive.read(entry["file"]) == credentialed_file(stored).file.open("rb").read()


def test_bulk_decisions_follow_the_review_rules(client, project, owner):
    """The owner may decide, but under four-eyes not approve their own work: that part is refused
    with the rule's words, the rest goes through; rejecting needs a comment."""
    ReviewPolicy.objects.create(project=project)
    editor = member(project, "editor")
    mine = stored_asset(project, user=owner)
    theirs = stored_asset(project, user=editor)
    client.force_login(owner)
    url = reverse("gallery-bulk", args=[project.pk])
    response = client.post(url, {"action": "approve", "assets": [str(mine.pk), str(theirs.pk)]}, follow=True)
    page = response.content.decode()
    assert "Approved 1 asset." in page and "Four-eyes rule" in page
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.review_status, theirs.review_status) == ("pending", "approved")

    response = client.post(url, {"action": "reject", "assets": [str(mine.pk)]}, follow=True)
    assert "A comment is required to reject" in response.content.decode()
    client.post(url, {"action": "reject", "assets": [str(mine.pk)], "comment": "Logo misspelled"})
    mine.refresh_from_db()
    assert mine.review_status == "rejected"


def test_bulk_refuses_roles_and_other_projects_assets(client, project, editor, viewer):
    from tests.factories import ProjectFactory

    asset = stored_asset(project, user=editor)
    foreign = stored_asset(ProjectFactory())
    url = reverse("gallery-bulk", args=[project.pk])
    client.force_login(editor)
    client.post(url, {"action": "approve", "assets": [str(asset.pk)]})
    asset.refresh_from_db()
    assert asset.review_status == "pending"  # an editor may not decide
    response = client.post(url, {"action": "tag", "assets": [str(foreign.pk)], "tags": "x"}, follow=True)
    assert "Select a valid choice" in response.content.decode() and not AssetTag.objects.exists()
    client.force_login(viewer)
    assert client.post(url, {"action": "tag", "assets": [str(asset.pk)], "tags": "x"}).status_code == 403


def test_newer_and_older_step_through_every_asset_once_even_with_equal_times(project, editor):
    from apps.assets.selectors import asset_neighbours

    assets = [stored_asset(project, user=editor) for _ in range(4)]
    Asset.objects.filter(pk__in=[assets[1].pk, assets[2].pk]).update(created_at=assets[1].created_at)
    gallery_order = list(Asset.objects.filter(project=project).order_by("-created_at", "-id"))
    walked, current = [gallery_order[0]], gallery_order[0]
    while (older := asset_neighbours(current)[1]) is not None:
        assert asset_neighbours(older)[0].pk == current.pk
        walked.append(older)
        current = older
    assert [a.pk for a in walked] == [a.pk for a in gallery_order]


def test_the_second_output_of_a_plain_generate_job_is_generated_on_its_page_as_in_the_gallery(client, project, editor):
    """Outputs after the first are linked `variation_of` the first, but the pages' "Variation" is a
    generate job made from an asset: the asset page and the gallery filter say the same."""
    job = Generation.objects.create(project=project, prompt="two mugs", model="gemini-3.1-flash-image-preview", aspect_ratio="1:1",
                                    image_size="512", created_by=editor, status="succeeded", count=2)
    first = stored_asset(project, user=editor, generation=job, output_index=0)
    second = stored_asset(project, user=editor, generation=job, output_index=1, parents=[(first, "variation_of")])
    client.force_login(editor)

    for asset in (first, second):  # its own heading, and the other drawn in its lineage
        page = client.get(reverse("asset-page", args=[asset.pk])).content.decode()
        assert "<strong>Generated</strong>" in page and "<strong>Variation</strong>" not in page
        assert "Variation 512" not in page
    assert "<br>Generated 512<br>" in client.get(reverse("asset-page", args=[first.pk])).content.decode()
    gallery = reverse("gallery", args=[project.pk])
    assert {a.pk for a in client.get(gallery, {"kind": "generate"}).context["assets"]} == {first.pk, second.pk}
    assert not client.get(gallery, {"kind": "variation"}).context["assets"]
