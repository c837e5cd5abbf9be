"""Refinement threads over REST, run by the real task code through the real SDK against the
emulator; the emulator's log shows exactly what each request carried."""

from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.assets.models import Asset, AssetLink, Relation
from apps.gemini import catalogue
from apps.generations.models import Generation
from apps.library.models import EntryKind
from apps.refinements.models import Thread
from tests.factories import LibraryEntryFactory, member, reference_image, stored_asset
from tests.images import image_bytes

pytestmark = pytest.mark.django_db


def generate(client, project, **body):
    response = client.post(f"/api/v1/projects/{project.id}/generations/", {"prompt": "a bottle on a beach", "image_size": "512"} | body, format="json")
    assert response.status_code == 201, response.json()
    job = client.get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job["error"]
    return job["assets"][0]["id"]


def refine(client, asset_id, prompt, **body):
    response = client.post(f"/api/v1/assets/{asset_id}/refine/", {"prompt": prompt} | body, format="json")
    assert response.status_code == 201, response.json()
    job = client.get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job["error"]
    return job | {"thread": response.json()["thread"], "turn": response.json()["turn"]}


def model_turns(entry):
    return [content["parts"] for content in entry["contents"] if content["role"] == "model"]


def user_texts(entry):
    return [part.get("text") for content in entry["contents"] if content["role"] == "user" for part in content["parts"]]


def test_four_turns_each_send_the_whole_history_with_every_signature(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    asset = generate(client, project)
    prompts = ["warmer light", "move the bottle left", "bigger headline", "add a seagull"]
    jobs = []
    for prompt in prompts:
        jobs.append(refine(client, asset, prompt))
        asset = jobs[-1]["assets"][0]["id"]

    log = upstream.state.log
    assert len(log) == 5 and all(entry["status"] == 200 for entry in log)
    for turn in range(1, 5):
        request = log[turn]
        # Every earlier model turn, exactly as the model returned it (texts, image hashes, signatures, order) ...
        assert model_turns(request) == [log[earlier]["reply"] for earlier in range(turn)]
        # ... with a signature on every image and on the first text of each answer ...
        for parts in model_turns(request):
            assert all(part.get("signature") for part in parts if "image" in part and not part.get("thought"))
            assert next(part for part in parts if "text" in part and not part.get("thought")).get("signature")
        # ... between the user's words, oldest first, then this turn's instruction.
        assert [text for text in user_texts(request) if text in prompts] == prompts[:turn]
        assert request["contents"][-1] == {"role": "user", "parts": [{"text": prompts[turn - 1]}]}
        assert request["input_images"] == turn  # only the model's own images: none sent twice

    assert len({job["thread"] for job in jobs}) == 1
    # Each turn is an asset edited from the one it refined, with its own cost and usage.
    for previous, job in zip([None, *jobs], jobs):
        assert job["kind"] == "refine"
        assert Decimal(job["cost_usd"]) == catalogue.get_model("nano-banana-2").price("512")
        assert job["usage"]["total_token_count"] > 0
        if previous:
            assert AssetLink.objects.filter(
                child_id=job["assets"][0]["id"], parent_id=previous["assets"][0]["id"], relation=Relation.EDITED_FROM
            ).exists()

    thread = client.get(f"/api/v1/assets/{asset}/thread/").json()
    assert [(turn["role"], turn["text"]) for turn in thread["turns"]][::2] == [
        ("user", "a bottle on a beach"), ("user", "warmer light"), ("user", "move the bottle left"),
        ("user", "bigger headline"), ("user", "add a seagull"),
    ]
    assert [turn["role"] for turn in thread["turns"]] == ["user", "model"] * 5
    assert thread["turns"][-1]["asset"] == asset and thread["turns"][-1]["status"] == "succeeded"
    assert thread["turns"][-1]["text"] == "Here is your image."
    assert thread["branches"] == []


def test_refining_turn_two_again_starts_a_branch(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    seed = generate(client, project)
    one = refine(client, seed, "warmer light")
    two = refine(client, one["assets"][0]["id"], "move the bottle left")
    three = refine(client, two["assets"][0]["id"], "bigger headline")

    branch = refine(client, two["assets"][0]["id"], "make it night")

    assert branch["thread"] == three["thread"]
    request = upstream.state.log[-1]
    assert model_turns(request) == [upstream.state.log[i]["reply"] for i in range(3)]  # seed, one, two: not three
    assert "bigger headline" not in user_texts(request)
    thread = client.get(f"/api/v1/assets/{branch['assets'][0]['id']}/thread/").json()
    assert [t["text"] for t in thread["turns"] if t["role"] == "user"] == ["a bottle on a beach", "warmer light", "move the bottle left", "make it night"]
    [other] = thread["branches"]
    assert other["from_asset"] == two["assets"][0]["id"] and other["asset"] == three["assets"][0]["id"]
    assert other["prompt"] == "bigger headline"


def test_settings_follow_the_thread_unless_changed_for_a_turn(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    seed = generate(client, project, aspect_ratio="16:9")
    one = refine(client, seed, "warmer light")
    two = refine(client, one["assets"][0]["id"], "square it", aspect_ratio="1:1", image_size="1K")
    three = refine(client, two["assets"][0]["id"], "more contrast")

    assert (one["aspect_ratio"], one["image_size"]) == ("16:9", "512")
    assert (two["aspect_ratio"], two["image_size"]) == ("1:1", "1K")
    assert (three["aspect_ratio"], three["image_size"]) == ("1:1", "1K")
    assert one["thread"] == two["thread"] == three["thread"]


def test_changing_the_model_starts_a_new_thread_from_the_image(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    seed = generate(client, project)
    one = refine(client, seed, "warmer light")

    other = refine(client, one["assets"][0]["id"], "sharper", model="nano-banana-pro", image_size="1K")

    assert other["thread"] != one["thread"] and other["model"] == "gemini-3-pro-image-preview"
    request = upstream.state.log[-1]
    assert model_turns(request) == []  # another model's signatures are never sent
    assert request["input_images"] == 1 and request["status"] == 200
    assert Thread.objects.get(pk=other["thread"]).seeded_as == "image"


def test_a_thread_on_nano_banana_has_no_signatures_and_needs_none(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    seed = generate(client, project, model="nano-banana", image_size=None)
    one = refine(client, seed, "warmer light")
    two = refine(client, one["assets"][0]["id"], "move the bottle left")

    assert one["thread"] == two["thread"]
    log = upstream.state.log
    assert all("signature" not in part for entry in log for part in entry["reply"])
    # The 2.5 image starts the thread as a user-supplied image; each answer since is sent back as the model's turn.
    assert model_turns(log[2]) == [log[1]["reply"]]
    assert log[2]["input_images"] == 2


def test_an_upload_starts_a_thread_as_a_user_supplied_image(api, editor, project, upstream, run_tasks_inline):
    upload = stored_asset(project, user=editor)
    one = refine(api(editor), upload.pk, "make it a watercolour")

    request = upstream.state.log[-1]
    assert request["contents"][0]["role"] == "user" and model_turns(request) == []
    assert request["input_images"] == 1
    assert one["aspect_ratio"] == "4:3"  # the closest the model has to the 640x480 upload
    thread = api(editor).get(f"/api/v1/assets/{one['assets'][0]['id']}/thread/").json()
    assert thread["turns"][0] == thread["turns"][0] | {"role": "user", "text": "", "asset": str(upload.pk)}


def test_a_thread_past_the_models_image_limit_is_refused_naming_its_images(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    characters = [LibraryEntryFactory(project=project, kind=EntryKind.CHARACTER) for _ in range(4)]
    for entry in characters:
        for shade in range(3):
            reference_image(entry, colour=(shade * 60, 80, 120))
    seed = generate(client, project, characters=[str(e.pk) for e in characters])  # 12 references + 1 image made
    one = refine(client, seed, "warmer light")  # sends 13, makes the 14th
    two = refine(client, one["assets"][0]["id"], "cooler light")  # sends 14
    assert upstream.state.log[-1]["input_images"] == 14

    refused = client.post(f"/api/v1/assets/{two['assets'][0]['id']}/refine/", {"prompt": "one more"}, format="json")

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "thread_too_long" and error["details"] == {"limit": 14, "value": 15}
    assert "holds 15 images" in error["message"] and "new_thread" in error["message"]
    assert len(upstream.state.log) == 3
    fresh = refine(client, two["assets"][0]["id"], "one more", new_thread=True)
    assert upstream.state.log[-1]["input_images"] == 1 and fresh["thread"] != two["thread"]
    again = refine(client, seed, "start over", new_thread=True)  # the 12-reference draft as a plain image
    assert upstream.state.log[-1]["input_images"] == 1 and again["references"] == []


def test_the_seed_turn_sends_the_original_request_and_the_stored_signature(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    entry = LibraryEntryFactory(project=project, kind=EntryKind.CHARACTER, name="Mia")
    reference_image(entry)
    seed = generate(client, project, characters=[str(entry.pk)], thinking_level="high")

    turn = refine(client, seed, "warmer light")

    first, second = upstream.state.log
    assert second["contents"][0] == first["contents"][0]  # the original user turn: labels, reference image, prompt
    assert second["contents"][1] == {"role": "model", "parts": first["reply"]}  # thought part included
    assert {"text": "Planning the composition.", "thought": True} in first["reply"]
    # The interim thought image went back too, from the file stored beside the asset.
    [draft] = [part["inline_data"]["stored"] for part in Asset.objects.get(pk=seed).model_parts if part.get("thought") and "inline_data" in part]
    assert draft["key"].endswith(".part1.png") and default_storage.exists(draft["key"])
    assert turn["thinking_level"] == "high"  # the thread's settings, thinking included, follow the seed job
    assert turn["references"] == []  # sent once, in the seed turn of the history, not again with the turn


def test_who_may_refine_and_read_a_thread(api, editor, viewer, reviewer, outsider, project, upstream, run_tasks_inline):
    seed = generate(api(editor), project)
    one = refine(api(editor), seed, "warmer light")
    asset = one["assets"][0]["id"]

    assert api(viewer).post(f"/api/v1/assets/{asset}/refine/", {"prompt": "x"}, format="json").status_code == 403
    assert api(reviewer).post(f"/api/v1/assets/{asset}/refine/", {"prompt": "x"}, format="json").status_code == 403
    assert api(outsider).post(f"/api/v1/assets/{asset}/refine/", {"prompt": "x"}, format="json").status_code == 404
    assert api(outsider).get(f"/api/v1/assets/{asset}/thread/").status_code == 404
    assert api(None).get(f"/api/v1/assets/{asset}/thread/").status_code in (401, 403)
    thread = api(viewer).get(f"/api/v1/assets/{asset}/thread/")
    assert thread.status_code == 200 and len(thread.json()["turns"]) == 4

    colleague = member(project, "editor")
    continued = refine(api(colleague), asset, "cooler light")  # any editor of the project continues the thread
    assert continued["thread"] == one["thread"] and continued["created_by"] == colleague.username


def test_bad_refine_requests_name_their_field(api, editor, project, upstream, run_tasks_inline):
    seed = generate(api(editor), project)
    cases = [
        ({"prompt": "  "}, "prompt"),
        ({"prompt": "x", "aspect_ratio": "8:1", "model": "nano-banana-pro"}, "aspect_ratio"),
        ({"prompt": "x", "image_size": "8K"}, "image_size"),
        ({"prompt": "x", "model": "dall-e"}, "model"),
        ({"prompt": "x", "colour": "red"}, "colour"),
    ]
    for body, field in cases:
        response = api(editor).post(f"/api/v1/assets/{seed}/refine/", body, format="json")
        assert response.status_code == 400, body
        assert response.json()["error"]["field"] == field, response.json()
    assert len(upstream.state.log) == 1
    assert not Generation.objects.filter(kind="refine").exists()


def test_refine_jobs_are_made_only_through_a_thread(api, editor, project, upstream):
    seed = stored_asset(project, user=editor)
    response = api(editor).post(
        f"/api/v1/projects/{project.id}/generations/", {"kind": "refine", "prompt": "x", "source_assets": [str(seed.pk)]}, format="json"
    )
    assert response.status_code == 400 and response.json()["error"]["field"] == "kind"


def test_an_asset_without_a_thread_has_an_empty_one(api, editor, project):
    seed = stored_asset(project, user=editor)
    assert api(editor).get(f"/api/v1/assets/{seed.pk}/thread/").json() == {"thread": None, "turns": [], "branches": []}


def test_the_same_idempotency_key_returns_the_first_turn(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    seed = generate(client, project)
    first = client.post(f"/api/v1/assets/{seed}/refine/", {"prompt": "warmer light"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(f"/api/v1/assets/{seed}/refine/", {"prompt": "warmer light"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["turn"] == first.json()["turn"]
    assert Generation.objects.filter(kind="refine").count() == 1 and len(upstream.state.log) == 2


def test_a_stored_image_whose_bytes_changed_fails_the_turn_instead_of_sending_another_history(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    seed = generate(client, project)
    key = Asset.objects.get(pk=seed).file.name
    default_storage.delete(key)
    default_storage.save(key, ContentFile(image_bytes(512, 512)))

    response = client.post(f"/api/v1/assets/{seed}/refine/", {"prompt": "warmer light"}, format="json")

    job = client.get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "failed" and job["error"]["code"] == "history_changed"
    assert "no longer has the bytes the model returned" in job["error"]["message"]
    assert len(upstream.state.log) == 1  # nothing was sent


def test_reading_a_thread_costs_the_same_queries_however_deep_it_is(api, editor, project, upstream, run_tasks_inline):
    client = api(editor)
    assets = [generate(client, project)]
    counts = []
    for prompt in ("warmer light", "move the bottle left", "bigger headline", "add a seagull"):
        assets.append(refine(client, assets[-1], prompt)["assets"][0]["id"])
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"/api/v1/assets/{assets[-1]}/thread/").status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts
