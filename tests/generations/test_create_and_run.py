"""Creating a job over REST and running it (real task code, real SDK, emulator over HTTP)."""

from decimal import Decimal

import pytest
from django.core.files.storage import default_storage

from apps.assets.models import Rendition
from apps.gemini import catalogue
from apps.generations.models import Generation
from tests.images import open_image

pytestmark = pytest.mark.django_db


def create(api, user, project, **body):
    return api(user).post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a lighthouse at dusk"} | body, format="json")


def test_generation_succeeds_and_stores_a_private_png_with_thumbnail(api, editor, project, upstream, run_tasks_inline):
    response = create(api, editor, project, model="nano-banana-2", aspect_ratio="16:9", image_size="2K")
    assert response.status_code == 201, response.json()

    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded"
    assert job["model"] == "gemini-3.1-flash-image-preview" and job["model_alias"] == "nano-banana-2"
    assert job["error"] is None
    assert job["usage"]["total_token_count"] > 0
    assert Decimal(job["cost_usd"]) == catalogue.get_model("nano-banana-2").price("2K")
    assert job["response_id"] and job["model_version"]
    assert job["system_instruction"] == project.brief
    [asset] = job["assets"]
    assert (asset["width"], asset["height"]) == catalogue.pixel_size("16:9", "2K")
    assert asset["review_status"] == "pending"

    file = api(editor).get(f"/api/v1/assets/{asset['id']}/file/")
    assert file.status_code == 200 and file["Content-Type"] == "image/png"
    data = b"".join(file.streaming_content)
    assert open_image(data).size == (2752, 1536) and len(data) == asset["size_bytes"]
    thumb = api(editor).get(f"/api/v1/assets/{asset['id']}/thumbnail/")
    assert thumb.status_code == 200 and max(open_image(b"".join(thumb.streaming_content)).size) <= 384


def test_variations_make_one_asset_and_one_upstream_call_each(api, editor, project, upstream, run_tasks_inline):
    response = create(api, editor, project, count=3, image_size="512")
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded"
    assert [a["output_index"] for a in job["assets"]] == [0, 1, 2]
    assert len(upstream.state.log) == 3 and job["upstream_calls"] == 3


def test_aspect_ratio_the_model_lacks_is_400_and_never_reaches_upstream(api, editor, project, upstream, run_tasks_inline):
    response = create(api, editor, project, model="nano-banana-pro", aspect_ratio="8:1")

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == "aspect_ratio"
    assert "16:9" in error["message"] and error["details"]["allowed"]
    assert not Generation.objects.exists()
    assert upstream.state.log == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"model": "dall-e"}, "model"),
        ({"count": 0}, "count"),
        ({"count": 99}, "count"),
        ({"prompt": "x" * (catalogue.MAX_PROMPT_CHARS + 1)}, "prompt"),
        ({"aspectRatio": "16:9"}, "aspectRatio"),
        ({"prompt": ""}, "prompt"),
        ({"kind": "edit"}, "source_assets"),
        ({"image_size": "512", "model": "nano-banana-pro"}, "image_size"),
        ({"thinking_level": "high", "model": "nano-banana"}, "thinking_level"),
        ({"grounding": {"image": True}, "model": "nano-banana-pro"}, "grounding.image"),
    ],
)
def test_bad_requests_name_the_field(api, editor, project, upstream, body, field):
    response = create(api, editor, project, **body)
    assert response.status_code == 400, response.json()
    assert response.json()["error"]["field"] == field
    assert upstream.state.log == []


@pytest.mark.parametrize(("marker", "code"), [("[fault:400]", "invalid_request"), ("[fault:safety]", "blocked"), ("[fault:blocked]", "blocked")])
def test_rejected_or_blocked_upstream_fails_at_once_with_a_code(api, editor, project, upstream, run_tasks_inline, marker, code):
    response = create(api, editor, project, prompt=f"a beach {marker}")
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()

    assert job["status"] == "failed"
    assert job["error"]["code"] == code and job["error"]["message"]
    assert job["assets"] == [] and job["attempts"] == 1
    assert len(upstream.state.log) == 1  # no retry


def test_transient_errors_are_retried_then_succeed(api, editor, project, upstream, run_tasks_inline):
    response = create(api, editor, project, prompt="a harbour [fault:503x2]")
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()

    assert job["status"] == "succeeded"
    assert job["attempts"] == 3 and len(job["assets"]) == 1
    assert [c["status"] for c in upstream.state.log] == [503, 503, 200]


def test_persistent_5xx_gives_up_after_max_attempts(api, editor, project, upstream, run_tasks_inline, settings):
    settings.GENERATION_MAX_ATTEMPTS = 3
    response = create(api, editor, project, prompt="a storm [fault:500]")
    job = api(editor).get(f"/api/v1/generations/{response.json()['id']}/").json()

    assert job["status"] == "failed" and job["error"]["code"] == "upstream_unavailable"
    assert "3 attempts" in job["error"]["message"]
    assert len(upstream.state.log) == 3


def test_idempotency_key_returns_the_same_job(api, editor, project, upstream):
    client = api(editor)
    url = f"/api/v1/projects/{project.id}/generations/"
    first = client.post(url, {"prompt": "a kite"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    again = client.post(url, {"prompt": "a kite"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")
    other = client.post(url, {"prompt": "a boat"}, format="json", HTTP_IDEMPOTENCY_KEY="abc")

    assert (first.status_code, again.status_code, other.status_code) == (201, 200, 409)
    assert first.json()["id"] == again.json()["id"]
    assert Generation.objects.count() == 1


def test_running_a_finished_job_again_changes_nothing(api, editor, project, upstream, run_tasks_inline):
    from apps.generations.services import generation_run

    job_id = create(api, editor, project).json()["id"]
    generation_run(generation_id=job_id)

    assert Generation.objects.get(pk=job_id).assets.count() == 1
    assert len(upstream.state.log) == 1


def test_cancel_a_queued_job(api, editor, project, upstream):
    job_id = create(api, editor, project).json()["id"]
    response = api(editor).post(f"/api/v1/generations/{job_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "canceled"
    assert api(editor).post(f"/api/v1/generations/{job_id}/cancel/").status_code == 409


def test_files_are_written_under_deterministic_keys(api, editor, project, upstream, run_tasks_inline):
    job_id = create(api, editor, project).json()["id"]
    assert default_storage.exists(f"projects/{project.id}/generations/{job_id}/0.a1.png")  # output 0 of attempt 1
    thumbnail = Rendition.objects.get(asset__generation_id=job_id)  # beside it, a fresh name per making
    assert thumbnail.file.name.startswith(f"projects/{project.id}/generations/{job_id}/0.a1.thumb-384.")
    assert default_storage.exists(thumbnail.file.name)
