"""Region edits end to end (real task code, real SDK, the emulator over HTTP): what is sent upstream
(the crop's pixel size and ratio; in marked mode two images and the box_2d numbers), and that the
stored asset changes nothing outside the region. Apply as edit: a pinned rectangle becomes one."""

import io
import uuid

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from apps.approvals.models import Comment
from apps.assets import regions
from apps.assets.files import file_write
from apps.assets.images import sanitize_upload
from apps.assets.models import AssetLink
from apps.assets.services import asset_create
from apps.gemini import catalogue
from apps.generations.models import Generation, RegionEdit
from tests.factories import member

pytestmark = pytest.mark.django_db

WIDTH, HEIGHT = 1024, 768


def noise_asset(project, user, width=WIDTH, height=HEIGHT):
    """An uploaded asset whose every pixel differs from its neighbours."""
    pixels = np.random.default_rng(7).integers(0, 256, (height, width, 3), dtype=np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="PNG", compress_level=1)
    image = sanitize_upload(out.getvalue())
    key = f"projects/{project.id}/uploads/{uuid.uuid4()}.png"
    file_write(key, image.data)
    return asset_create(project=project, key=key, image=image, origin="upload", created_by=user)


def pixels(asset) -> np.ndarray:
    with default_storage.open(asset.file.name, "rb") as handle:
        return np.asarray(Image.open(handle).convert("RGB"))


def changed_outside_box(before, after, box) -> int:
    outside = np.ones(before.shape[:2], dtype=bool)
    outside[box["top"]:box["top"] + box["height"], box["left"]:box["left"] + box["width"]] = False
    return int(np.any(before != after, axis=2)[outside].sum())


def region_edit(api, user, asset, **body):
    return api(user).post(f"/api/v1/assets/{asset.pk}/region-edit/", {"prompt": "make the cap red"} | body, format="json")


def test_a_region_edit_sends_the_crop_and_changes_only_the_region(api, project, editor, upstream, run_tasks_inline):
    source = noise_asset(project, editor)
    rect = {"x": 0.4, "y": 0.3, "w": 0.2, "h": 0.25}
    response = region_edit(api, editor, source, region=rect)
    assert response.status_code == 201, response.json()
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job["error"]
    assert job["kind"] == "region_edit"

    spec = RegionEdit.objects.get(generation_id=job["id"])
    plan = regions.plan(regions.region_from_rect(rect, width=WIDTH, height=HEIGHT), model=catalogue.get_model("nano-banana-2"))
    [call] = upstream.state.log
    assert call["input_sizes"] == [[plan.covers.width, plan.covers.height]] == [[spec.covers["width"], spec.covers["height"]]]
    assert call["image_config"]["aspect_ratio"] == plan.aspect_ratio == job["aspect_ratio"]
    ratio_w, ratio_h = catalogue.PIXELS_1K[plan.aspect_ratio]
    assert plan.covers.width / plan.covers.height == pytest.approx(ratio_w / ratio_h, rel=0.02)
    assert "make the cap red" in " ".join(call["texts"]) and "crop" in " ".join(call["texts"])

    [made] = job["assets"]
    assert (made["width"], made["height"]) == (WIDTH, HEIGHT)
    result = source.__class__.objects.get(pk=made["id"])
    before, after = pixels(source), pixels(result)
    assert changed_outside_box(before, after, spec.box) == 0
    assert np.any(before != after)  # the region did change
    assert AssetLink.objects.filter(child=result, parent=source, relation="region_edit_of").exists()
    assert spec.region == {"x": 0.4, "y": 0.3, "w": 0.2, "h": 0.25}


def test_marked_mode_sends_the_original_and_an_outlined_copy_with_the_box(api, project, editor, upstream, run_tasks_inline):
    source = noise_asset(project, editor)
    response = region_edit(api, editor, source, region={"x": 0.5, "y": 0.125, "w": 0.25, "h": 0.5}, mode="marked")
    assert response.status_code == 201, response.json()
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job["error"]

    [call] = upstream.state.log
    assert call["input_sizes"] == [[WIDTH, HEIGHT], [WIDTH, HEIGHT]]
    assert call["input_sha256"][0] != call["input_sha256"][1]
    spec = RegionEdit.objects.get(generation_id=job["id"])
    assert spec.box_2d == [125, 500, 625, 750]
    assert "[125, 500, 625, 750]" in " ".join(call["texts"])
    result = source.__class__.objects.get(pk=job["assets"][0]["id"])
    assert changed_outside_box(pixels(source), pixels(result), spec.box) == 0


def test_a_brush_mask_is_uploaded_and_only_painted_pixels_change(api, project, editor, upstream, run_tasks_inline):
    source = noise_asset(project, editor)
    paint = Image.new("L", (WIDTH, HEIGHT), 0)
    ImageDraw.Draw(paint).ellipse((300, 200, 520, 420), fill=255)
    mask = io.BytesIO()
    paint.save(mask, format="PNG")
    response = api(editor).post(
        f"/api/v1/assets/{source.pk}/region-edit/",
        {"prompt": "a red ball", "mask": SimpleUploadedFile("mask.png", mask.getvalue(), content_type="image/png")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job["error"]
    spec = RegionEdit.objects.get(generation_id=job["id"])
    assert spec.mask and default_storage.exists(spec.mask.name)
    painted = np.asarray(paint) >= 128
    before, after = pixels(source), pixels(source.__class__.objects.get(pk=job["assets"][0]["id"]))
    assert int(np.any(before != after, axis=2)[~painted].sum()) == 0


@pytest.mark.parametrize(
    "body, words",
    [
        ({"region": {"x": 0.9, "y": 0.1, "w": 0.3, "h": 0.1}}, "outside the image"),
        ({"region": {"x": 0, "y": 0, "w": 1, "h": 1}}, "whole image"),
        ({"region": {"x": 0.1, "y": 0.1, "w": 0, "h": 0.1}}, "no area"),
        ({}, "either a region"),
    ],
)
def test_bad_regions_are_400_naming_region_and_never_reach_upstream(api, project, editor, upstream, run_tasks_inline, body, words):
    source = noise_asset(project, editor, 64, 48)
    response = region_edit(api, editor, source, **body)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "region" and words in error["message"]
    assert not Generation.objects.filter(kind="region_edit").exists() and upstream.state.log == []


def test_a_mask_of_the_wrong_size_is_400_with_both_sizes(api, project, editor, upstream):
    source = noise_asset(project, editor, 64, 48)
    mask = io.BytesIO()
    Image.new("L", (32, 32), 255).save(mask, format="PNG")
    response = api(editor).post(
        f"/api/v1/assets/{source.pk}/region-edit/",
        {"prompt": "x", "mask": SimpleUploadedFile("m.png", mask.getvalue(), content_type="image/png")}, format="multipart",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "region" and "32x32" in error["message"] and "64x48" in error["message"]


def test_the_generic_create_does_not_take_region_edits(api, project, editor):
    response = api(editor).post(f"/api/v1/projects/{project.id}/generations/", {"kind": "region_edit", "prompt": "x"}, format="json")
    assert response.status_code == 400


# --- apply as edit --------------------------------------------------------------------------


def test_an_editor_applies_a_pinned_rectangle_and_approving_the_result_resolves_it(api, project, editor, upstream, run_tasks_inline):
    reviewer = member(project, "reviewer")
    source = noise_asset(project, editor)
    pin = {"x": 0.1, "y": 0.6, "w": 0.2, "h": 0.2}
    comment = api(reviewer).post(f"/api/v1/assets/{source.pk}/comments/", {"body": "The cap should be red", "pin": pin}, format="json").json()

    applied = api(editor).post(f"/api/v1/comments/{comment['id']}/apply/", {"prompt": "Paint the bottle cap red"}, format="json")
    assert applied.status_code == 201, applied.json()
    job = api(editor).get(f"/api/v1/generations/{applied.json()['id']}/").json()
    assert job["status"] == "succeeded" and job["kind"] == "region_edit"
    assert "Paint the bottle cap red" in " ".join(upstream.state.log[0]["texts"])
    [made] = job["assets"]

    [listed] = api(reviewer).get(f"/api/v1/assets/{source.pk}/comments/").json()
    assert listed["addressed_by"] == job["id"] and listed["addressed_in"] == made["id"] and listed["resolved"] is False
    # The pin shows on the new version too, marked as made on an earlier one.
    [shown] = api(reviewer).get(f"/api/v1/assets/{made['id']}/comments/").json()
    assert shown["on_earlier_version"] is True and shown["pin"] == pin

    decided = api(reviewer).post(f"/api/v1/assets/{made['id']}/reviews/", {"decision": "approve"}, format="json")
    assert decided.status_code == 201
    assert Comment.objects.get(pk=comment["id"]).is_resolved


def test_only_open_rectangle_pins_apply_and_only_editors_and_owners_apply(api, project, editor, upstream):
    reviewer = member(project, "reviewer")
    source = noise_asset(project, editor, 64, 48)
    point = api(reviewer).post(f"/api/v1/assets/{source.pk}/comments/", {"body": "here", "pin": {"x": 0.5, "y": 0.5}}, format="json").json()
    refused = api(editor).post(f"/api/v1/comments/{point['id']}/apply/", {}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "pin"

    rect = api(reviewer).post(f"/api/v1/assets/{source.pk}/comments/", {"body": "here", "pin": {"x": 0.2, "y": 0.2, "w": 0.5, "h": 0.5}}, format="json").json()
    assert api(reviewer).post(f"/api/v1/comments/{rect['id']}/apply/", {}, format="json").status_code == 403
    api(reviewer).patch(f"/api/v1/comments/{rect['id']}/", {"resolved": True}, format="json")
    resolved = api(editor).post(f"/api/v1/comments/{rect['id']}/apply/", {}, format="json")
    assert resolved.status_code == 400 and "reopen" in resolved.json()["error"]["message"]
    assert not Generation.objects.exists() and upstream.state.log == []


def test_refining_a_region_edit_starts_from_its_image_not_the_crops_signed_answer(api, project, editor, upstream, run_tasks_inline):
    source = noise_asset(project, editor, 256, 192)
    job = api(editor).post(f"/api/v1/assets/{source.pk}/region-edit/", {"prompt": "red", "region": {"x": 0.25, "y": 0.25, "w": 0.5, "h": 0.5}}, format="json").json()
    made = api(editor).get(f"/api/v1/generations/{job['id']}/").json()["assets"][0]["id"]
    refined = api(editor).post(f"/api/v1/assets/{made}/refine/", {"prompt": "warmer light"}, format="json")
    assert refined.status_code == 201, refined.json()
    turn = api(editor).get(f"/api/v1/generations/{refined.json()['id']}/").json()
    assert turn["status"] == "succeeded", turn["error"]


def test_a_region_edit_sends_the_projects_references_after_asking_and_retries_with_a_key_make_one_job(api, project, editor, upstream, run_tasks_inline):
    from tests.factories import LibraryEntryFactory, reference_image

    source = noise_asset(project, editor)
    bottle = LibraryEntryFactory(project=project, kind="object", name="Teal bottle")
    reference_image(bottle)
    rect = {"x": 0.4, "y": 0.3, "w": 0.2, "h": 0.25}
    body = {"prompt": "make the cap red", "region": rect, "objects": [str(bottle.pk)]}
    first = api(editor).post(f"/api/v1/assets/{source.pk}/region-edit/", body, format="json", HTTP_IDEMPOTENCY_KEY="fix-cap-1")
    again = api(editor).post(f"/api/v1/assets/{source.pk}/region-edit/", body, format="json", HTTP_IDEMPOTENCY_KEY="fix-cap-1")
    assert (first.status_code, again.status_code) == (201, 200), first.json()
    assert again.json()["id"] == first.json()["id"]
    assert Generation.objects.filter(kind="region_edit").count() == 1 and RegionEdit.objects.count() == 1
    [call] = upstream.state.log
    assert len(call["input_sizes"]) == 2  # the bottle's reference image, then the crop

    other = api(editor).post(f"/api/v1/assets/{source.pk}/region-edit/", body | {"region": {**rect, "x": 0.1}}, format="json", HTTP_IDEMPOTENCY_KEY="fix-cap-1")
    assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_conflict"
