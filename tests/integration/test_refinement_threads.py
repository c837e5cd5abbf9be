"""Refinement threads end to end: web API -> broker -> real worker -> real SDK -> emulator, whose
log shows every request carried the whole history with every signature."""

import pytest

from apps.library.models import EntryKind
from tests.factories import LibraryEntryFactory, reference_image

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def generate(rest, project, **body):
    created = rest.post(f"/api/v1/projects/{project['id']}/generations/", {"prompt": "a bottle on a beach", "image_size": "512"} | body)
    assert created.status_code == 201, created.text
    job = rest.wait_for_job(created.json()["id"])
    assert job["status"] == "succeeded", job["error"]
    return job["assets"][0]["id"]


def ask(rest, asset_id, prompt, **body):
    created = rest.post(f"/api/v1/assets/{asset_id}/refine/", {"prompt": prompt} | body)
    assert created.status_code == 201, created.text
    return created.json()


def finished(rest, queued):
    job = rest.wait_for_job(queued["id"])
    assert job["status"] == "succeeded", job["error"]
    return job["assets"][0]["id"]


def model_turns(entry):
    return [content["parts"] for content in entry["contents"] if content["role"] == "model"]


def signed(parts):
    return all(part.get("signature") for part in parts if "image" in part and not part.get("thought"))


def test_four_turns_across_a_worker_restart_then_a_branch_from_turn_two(rest, upstream, start_worker):
    first = start_worker()
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    assets = [generate(rest, project)]
    for prompt in ("warmer light", "move the bottle left"):
        assets.append(finished(rest, ask(rest, assets[-1], prompt)))
    first.stop()

    # Turn three is asked while no worker runs; a new worker process picks it up from the database and files.
    queued = ask(rest, assets[-1], "bigger headline")
    start_worker()
    assets.append(finished(rest, queued))
    assets.append(finished(rest, ask(rest, assets[-1], "add a seagull")))
    branch = finished(rest, ask(rest, assets[2], "make it night"))

    log = upstream.state.log
    assert [entry["status"] for entry in log] == [200] * 6
    for turn in range(1, 5):
        assert model_turns(log[turn]) == [log[earlier]["reply"] for earlier in range(turn)]
        assert all(signed(parts) for parts in model_turns(log[turn]))
    # The branch carries the seed and turns one and two, not three and four.
    assert model_turns(log[5]) == [log[0]["reply"], log[1]["reply"], log[2]["reply"]]

    thread = rest.get(f"/api/v1/assets/{branch}/thread/").json()
    assert [t["text"] for t in thread["turns"] if t["role"] == "user"] == ["a bottle on a beach", "warmer light", "move the bottle left", "make it night"]
    assert [t["asset"] for t in thread["turns"] if t["role"] == "model"] == [*assets[:3], branch]
    [split] = thread["branches"]
    assert split["from_asset"] == assets[2] and split["asset"] == assets[3]
    lineage = rest.get(f"/api/v1/assets/{assets[4]}/lineage/").json()
    chain = {(edge["from"], edge["to"]) for edge in lineage["edges"] if edge["relation"] == "edited_from"}
    assert {(assets[i + 1], assets[i]) for i in range(4)} <= chain


def test_a_nano_banana_thread_runs_without_signatures(rest, worker, upstream):
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    asset = generate(rest, project, model="nano-banana", image_size=None)
    for prompt in ("warmer light", "move the bottle left", "bigger headline"):
        asset = finished(rest, ask(rest, asset, prompt))

    log = upstream.state.log
    assert not any("signature" in part for entry in log for content in entry["contents"] for part in content["parts"])
    assert model_turns(log[3]) == [log[1]["reply"], log[2]["reply"]]  # the seed went as the user's image


def test_a_thread_over_the_image_limit_is_refused_before_any_call(rest, worker, upstream):
    project = rest.post("/api/v1/projects/", {"name": "Acme"}).json()
    characters = [LibraryEntryFactory(project_id=project["id"], kind=EntryKind.CHARACTER) for _ in range(4)]
    for entry in characters:
        for shade in range(3):
            reference_image(entry, colour=(shade * 60, 90, 30))
    asset = generate(rest, project, characters=[str(entry.pk) for entry in characters])
    asset = finished(rest, ask(rest, asset, "warmer light"))
    asset = finished(rest, ask(rest, asset, "cooler light"))
    calls = len(upstream.state.log)

    refused = rest.post(f"/api/v1/assets/{asset}/refine/", {"prompt": "one more"})

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "thread_too_long" and error["details"] == {"limit": 14, "value": 15}
    assert "15 images" in error["message"]
    assert len(upstream.state.log) == calls
