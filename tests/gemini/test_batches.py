"""Batch API delivery through the real SDK against the emulator's batch and file endpoints."""

import pytest

from apps.gemini import catalogue
from apps.gemini.batches import BatchItem, batch_cancel, batch_check, batch_find, batch_submit
from apps.gemini.checks import ImageSettings, check_image_settings
from apps.gemini.gateway import GatewayError, ImageRequest, InputImage, generate_image
from tests.conftest import emulated_batches
from tests.images import image_bytes, open_image
from tests.waiting import wait_for

MODEL = "gemini-3.1-flash-image-preview"


def items_for(*prompts, images=(), **settings):
    settings = {"model": "nano-banana-2", "aspect_ratio": "1:1", "image_size": "512", "thinking_level": None} | settings
    job = check_image_settings(**settings)
    return [
        BatchItem(key=f"job-{i}:0", request=ImageRequest(settings=job, prompt=prompt, images=tuple(images), system_instruction="Brand brief"))
        for i, prompt in enumerate(prompts)
    ]


def wait_done(name, timeout=10.0):
    seen = []

    def done():
        seen[:] = [batch_check(name=name)]
        return seen[0].done and seen[0]

    return wait_for(done, timeout, interval=0.05, what=lambda: f"{name} done (still {seen[0].state})")


@pytest.mark.parametrize("inline_limit", [0, 1], ids=["inlined", "jsonl-file"])
def test_batch_results_come_back_keyed_and_parsed_like_interactive_calls(batch_upstream, settings, inline_limit):
    settings.GEMINI_BATCH_INLINE_LIMIT_BYTES = inline_limit  # 1 byte: every batch goes up as a file
    references = [InputImage(data=image_bytes(), mime_type="image/png", label="Reference for Mia")]
    items = items_for("a red bicycle", "a blue kite", images=references)

    submitted = batch_submit(display_name="brandimages-one", model_id=MODEL, items=items)
    outcome = wait_done(submitted.name)

    assert outcome.state == "JOB_STATE_SUCCEEDED"
    assert set(outcome.results) == {"job-0:0", "job-1:0"}
    interactive = generate_image(items[0].request)
    for result in outcome.results.values():
        assert open_image(result.images[0].data).size == open_image(interactive.images[0].data).size == catalogue.pixel_size("1:1", "512")
        assert result.images[0].mime_type == interactive.images[0].mime_type == "image/png"
        assert result.response_id and result.model_version == MODEL and result.usage["total_token_count"] > 0
        assert set(result.usage) == set(interactive.usage)
    [emulated] = emulated_batches(batch_upstream)
    assert emulated["file_input"] is (inline_limit == 1) and emulated["requests"] == 2
    assert emulated["display_name"] == "brandimages-one"


def test_a_batch_is_found_by_display_name_and_unknown_names_find_nothing(batch_upstream):
    submitted = batch_submit(display_name="brandimages-find-me", model_id=MODEL, items=items_for("a lamp"))
    batch_submit(display_name="brandimages-other", model_id=MODEL, items=items_for("a chair"))

    assert batch_find(display_name="brandimages-find-me").name == submitted.name
    assert batch_find(display_name="brandimages-never-made") is None


def test_a_batch_waits_its_turnaround(batch_upstream):
    batch_upstream.batches.delay = 60
    submitted = batch_submit(display_name="brandimages-slow", model_id=MODEL, items=items_for("a boat"))

    outcome = batch_check(name=submitted.name)
    assert outcome.state == "JOB_STATE_PENDING" and not outcome.done and outcome.results == {}


@pytest.mark.parametrize(("marker", "state"), [("batch-expire", "JOB_STATE_EXPIRED"), ("batch-fail", "JOB_STATE_FAILED")])
def test_a_batch_can_expire_or_fail_as_a_whole(batch_upstream, marker, state):
    submitted = batch_submit(display_name=f"brandimages-{marker}", model_id=MODEL, items=items_for("a cup", f"a pot [fault:{marker}]"))
    outcome = wait_done(submitted.name)
    assert outcome.state == state and outcome.results == {}


def test_one_failed_request_among_successes_carries_the_upstream_reason(batch_upstream):
    items = items_for("a cup", "a pot [fault:400]", "a pan [fault:safety]")
    outcome = wait_done(batch_submit(display_name="brandimages-partial", model_id=MODEL, items=items).name)

    assert outcome.state == "JOB_STATE_SUCCEEDED"
    assert outcome.results["job-0:0"].images
    rejected = outcome.results["job-1:0"]
    assert isinstance(rejected, GatewayError) and rejected.code == "batch_request_failed"
    assert "invalid argument" in rejected.message and outcome.name in rejected.message
    blocked = outcome.results["job-2:0"]
    assert isinstance(blocked, GatewayError) and blocked.code == "blocked"  # parsed like an interactive answer


def test_each_inner_request_is_checked_like_an_interactive_call(batch_upstream):
    pro = catalogue.get_model("nano-banana-pro")
    unsupported = ImageSettings(model=pro, aspect_ratio="8:1", image_size="1K", thinking_level=None, web_search=False, image_search=False)
    items = items_for("fine", model="nano-banana-pro", image_size="1K") + [
        BatchItem(key="job-9:0", request=ImageRequest(settings=unsupported, prompt="too wide"))
    ]

    with pytest.raises(GatewayError) as refused:
        batch_submit(display_name="brandimages-bad", model_id=pro.model_id, items=items)

    assert refused.value.code == "invalid_request"
    assert "request 1" in refused.value.message and "8:1" in refused.value.message
    assert emulated_batches(batch_upstream) == []


def test_cancel_stops_a_pending_batch(batch_upstream):
    batch_upstream.batches.delay = 60
    submitted = batch_submit(display_name="brandimages-cancel", model_id=MODEL, items=items_for("a tent"))

    batch_cancel(name=submitted.name)

    assert batch_check(name=submitted.name).state == "JOB_STATE_CANCELLED"


def test_batch_requests_do_not_reach_the_interactive_endpoint(batch_upstream):
    wait_done(batch_submit(display_name="brandimages-quiet", model_id=MODEL, items=items_for("a bell", "a drum")).name)
    assert batch_upstream.state.log == []
