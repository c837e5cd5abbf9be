"""The contract test: clients generated from the live /api/schema/ (openapi-python-client for
Python; openapi-typescript + openapi-fetch for TypeScript, type-checked by tsc and run with Node)
drive the whole REST flow against the live server, a real worker and the emulator: token,
project, library upload, a generation of every kind, polling, asset, file download, lineage,
review (with a project API key), export and verified Standard Webhooks deliveries."""

import importlib
import json
import os
import subprocess
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from standardwebhooks.webhooks import Webhook

from tests.contract.clients import python_client, typescript_flow
from tests.factories import UserFactory
from tests.images import image_bytes
from tests.waiting import wait_for
from tests.webhooks.receiver import Receiver

PASSWORD = "contract-pw-1234"
KINDS = ["generate", "edit", "translate", "upscale", "compose"]


@pytest.fixture
def live_schema(web_url, integrator) -> bytes:
    """The schema as an integrator fetches it: signed in (it is public only with API_SCHEMA_PUBLIC)."""
    token = requests.post(f"{web_url}/api/v1/auth/token/", data={"username": integrator.username, "password": PASSWORD}, timeout=30)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Token {token.json()['token']}"}
    response = requests.get(f"{web_url}/api/schema/", params={"format": "json"}, headers=headers, timeout=30)
    assert response.status_code == 200
    return response.content


@pytest.fixture(autouse=True)
def loopback_receivers(settings):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True  # the live server runs in this process; the worker has it in its env


@pytest.fixture
def integrator(transactional_db, settings):
    """A user who logs in with a password, hashed with Django's default hasher: a server in another
    process (gunicorn on the scale profile) knows only that one, not the tests' fast one."""
    from django.contrib.auth.hashers import make_password

    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS, "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    user = UserFactory(username=f"integrator-{uuid.uuid4().hex[:6]}")
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    return user


def _call(module_path: str, **kwargs):
    """Call a generated operation; an answer outside its documented statuses raises."""
    from http import HTTPStatus

    response = importlib.import_module(f"brand_images_client.api.{module_path}").sync_detailed(**kwargs)
    assert 200 <= response.status_code < 300, f"{module_path}: {response.status_code} {response.content[:500]!r}"
    assert response.status_code != HTTPStatus.FOUND
    return response.parsed


def test_the_generated_python_client_runs_the_whole_flow(live_schema, web_url, worker, integrator):
    package = python_client(live_schema)
    from brand_images_client.models import (
        ApiKeyInputRequest,
        ApiKeyRoleEnum,
        AssetUploadRequest,
        DecisionEnum,
        EndpointInputRequest,
        EntryInputRequest,
        EventsEnum,
        GenerationInputRequest,
        GenerationKindEnum,
        PatchedReviewPolicyInputRequest,
        ProjectInputRequest,
        ReferenceImageUploadRequest,
        ReviewInputRequest,
        TokenInputRequest,
    )
    from brand_images_client.types import File

    anonymous = package.Client(base_url=web_url, raise_on_unexpected_status=True)
    token = _call("auth.auth_token_create", client=anonymous, body=TokenInputRequest(username=integrator.username, password=PASSWORD)).token
    # follow_redirects: on a bucket, downloads answer 302 to a signed URL (documented in the schema).
    api = package.AuthenticatedClient(base_url=web_url, token=token, prefix="Token", raise_on_unexpected_status=True, follow_redirects=True)

    project = _call("projects.projects_create", client=api, body=ProjectInputRequest(name="Python integration", brief="Calm."))
    receiver = Receiver()
    endpoint = _call(
        "projects.projects_webhooks_create", client=api, project_id=project.id,
        body=EndpointInputRequest(url=receiver.url, events=[EventsEnum.GENERATION_SUCCEEDED, EventsEnum.ASSET_REVIEW_CHANGED]),
    )
    mia = _call("projects.projects_characters_create", client=api, project_id=project.id, body=EntryInputRequest(name="Mia", description="barista"))
    png = image_bytes()
    _call("characters.characters_images_create", client=api, entry_id=mia.id,
          body=ReferenceImageUploadRequest(image=File(payload=png, file_name="mia.png", mime_type="image/png")))
    uploaded = _call("projects.projects_assets_create", client=api, project_id=project.id,
                     body=AssetUploadRequest(image=File(payload=png, file_name="shop.png", mime_type="image/png")))

    def run(body, idempotency_key=None):
        created = _call("projects.projects_generations_create", client=api, project_id=project.id, body=body,
                        **({"idempotency_key": idempotency_key} if idempotency_key else {}))
        seen = []

        def succeeded():
            seen[:] = [_call("generations.generations_retrieve", client=api, generation_id=created.id)]
            assert seen[0].status.value in ("queued", "running", "succeeded"), seen[0].to_dict()
            return seen[0].status.value == "succeeded" and seen[0]

        return wait_for(succeeded, 60, interval=0.2, what=lambda: f"{body.kind} succeeded (still {seen[0].status})")

    generated = run(GenerationInputRequest(prompt="Mia on a red bicycle", characters=[mia.id]), "py-generate-1")
    again = _call("projects.projects_generations_create", client=api, project_id=project.id, idempotency_key="py-generate-1",
                  body=GenerationInputRequest(prompt="Mia on a red bicycle", characters=[mia.id]))
    assert again.id == generated.id
    source = generated.assets[0].id
    jobs = {
        "generate": generated,
        "edit": run(GenerationInputRequest(kind=GenerationKindEnum.EDIT, prompt="make the bicycle blue", source_assets=[source])),
        "translate": run(GenerationInputRequest(kind=GenerationKindEnum.TRANSLATE, target_language="de", source_assets=[source])),
        "upscale": run(GenerationInputRequest(kind=GenerationKindEnum.UPSCALE, image_size="2K", source_assets=[source])),
        "compose": run(GenerationInputRequest(kind=GenerationKindEnum.COMPOSE, prompt="side by side", source_assets=[source, uploaded.id])),
    }
    assert {kind: len(job.assets) for kind, job in jobs.items()} == {kind: 1 for kind in KINDS}

    first = _call("projects.projects_generations_list", client=api, project_id=project.id, page_size=2)
    assert len(first.results) == 2 and first.next_ and first.previous is None
    cursor = parse_qs(urlsplit(first.next_).query)["cursor"][0]
    second = _call("projects.projects_generations_list", client=api, project_id=project.id, page_size=2, cursor=cursor)
    assert {g.id for g in second.results}.isdisjoint({g.id for g in first.results})
    assert len(_call("projects.projects_assets_list", client=api, project_id=project.id).results) == 6

    asset = _call("assets.assets_retrieve", client=api, asset_id=source)
    file = _call("assets.assets_file_retrieve", client=api, asset_id=source)
    assert file.payload.read(4) == b"\x89PNG" and asset.mime_type == "image/png"
    edited = jobs["edit"].assets[0].id
    lineage = _call("assets.assets_lineage_retrieve", client=api, asset_id=edited)
    assert any(edge.from_ == edited and edge.to == source for edge in lineage.edges)

    # One person works here, and a key's decisions are its maker's (four-eyes would refuse them): the owner turns it off.
    _call("projects.projects_review_policy_partial_update", client=api, project_id=project.id, body=PatchedReviewPolicyInputRequest(four_eyes=False))
    key = _call("projects.projects_api_keys_create", client=api, project_id=project.id, body=ApiKeyInputRequest(name="Python reviewer", role=ApiKeyRoleEnum.REVIEWER))
    reviewer = package.AuthenticatedClient(base_url=web_url, token=key.key, raise_on_unexpected_status=True)  # Bearer
    review = _call("assets.assets_reviews_create", client=reviewer, asset_id=source, body=ReviewInputRequest(decision=DecisionEnum.APPROVE))
    assert review.decision.value == "approve"
    assert _call("assets.assets_retrieve", client=api, asset_id=source).review_status.value == "approved"

    archive = _call("projects.projects_exports_retrieve", client=api, project_id=project.id)
    assert archive.payload.read(2) == b"PK"

    deliveries = receiver.wait_for(6)
    events = sorted(Webhook(endpoint.secret).verify(d["body"], d["headers"])["type"] for d in deliveries)
    assert events == ["asset.review_changed"] + ["generation.succeeded"] * 5
    logged = _call("webhooks.webhooks_deliveries_list", client=api, endpoint_id=endpoint.id)
    assert len(logged) == 6


def test_the_generated_typescript_client_runs_the_whole_flow(live_schema, web_url, worker, integrator, tmp_path):
    flow = typescript_flow(live_schema)
    png = tmp_path / "reference.png"
    png.write_bytes(image_bytes())
    result = subprocess.run(
        ["node", str(flow)], capture_output=True, text=True, timeout=300,
        env={**os.environ, "BASE_URL": web_url, "USERNAME": integrator.username, "PASSWORD": PASSWORD, "PNG_PATH": str(png)},
    )
    assert result.returncode == 0, result.stderr[-4000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["kinds"] == {kind: {"status": "succeeded", "assets": 1} for kind in KINDS}
    assert seen["file_head"] == list(b"\x89PNG") and seen["zip_head"] == list(b"PK") and seen["thumbnail_bytes"] > 0
    assert seen["review"] == "approve" and seen["review_status"] == "approved"
    assert seen["events"] == ["asset.review_changed"] + ["generation.succeeded"] * 5 and seen["logged_deliveries"] == 6
