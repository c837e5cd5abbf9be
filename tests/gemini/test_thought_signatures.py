"""Multi-turn requests through the real SDK: the model's turn comes back verbatim, goes back
unchanged, and the emulator refuses a history whose signatures are missing or not its own."""

import base64

import pytest

from apps.gemini.checks import check_image_settings
from apps.gemini.emulator.protocol import signature_for
from apps.gemini.gateway import (
    ChatTurn,
    GatewayError,
    ImageRequest,
    TurnPart,
    generate_image,
)


def first_turn(model="nano-banana-2", thinking_level=None):
    job = check_image_settings(model=model, aspect_ratio="1:1", image_size=None, thinking_level=thinking_level)
    return job, generate_image(ImageRequest(settings=job, prompt="a bottle on a beach"))


def follow_up(job, model_parts, prompt="warmer light"):
    history = (ChatTurn("user", (TurnPart.text("a bottle on a beach"),)), ChatTurn("model", tuple(model_parts)))
    return generate_image(ImageRequest(settings=job, prompt=prompt, history=history))


def test_the_models_turn_comes_back_verbatim_with_signature_bytes(upstream):
    job, result = first_turn(thinking_level="high")

    fields = [part.fields for part in result.parts]
    assert [("thought" in f, "inline_data" in f, "thought_signature" in f) for f in fields] == [
        (True, False, False),  # thinking text
        (True, True, False),  # interim thought image: unsigned
        (False, False, True),  # first text after the thoughts: signed
        (False, True, True),  # the image: signed
    ]
    image = result.parts[3]
    assert image.data == result.images[0].data and result.images[0].part_index == 3
    # The signature's bytes are the ones the emulator made for this image and model.
    assert base64.urlsafe_b64decode(image.fields["thought_signature"]) == signature_for(job.model.model_id, image.data)


def test_a_history_sent_back_unchanged_is_accepted_and_logged_whole(upstream):
    job, result = first_turn()

    follow_up(job, result.parts)

    first, second = upstream.state.log
    assert second["status"] == 200
    assert second["contents"][1] == {"role": "model", "parts": first["reply"]}
    assert second["contents"][2] == {"role": "user", "parts": [{"text": "warmer light"}]}


def _without_signature(part):
    return TurnPart({k: v for k, v in part.fields.items() if k != "thought_signature"}, part.data)


def test_an_image_part_without_its_signature_is_refused_like_google(upstream):
    job, result = first_turn()
    stripped = [_without_signature(p) if p.is_image else p for p in result.parts]

    with pytest.raises(GatewayError) as failure:
        follow_up(job, stripped)

    assert failure.value.code == "invalid_request" and not failure.value.retryable
    assert "400 INVALID_ARGUMENT" in failure.value.message
    assert "Image part is missing a thought_signature in content position 2, part position 2" in failure.value.message


@pytest.mark.parametrize("which", ["image", "text"])
def test_a_signature_the_emulator_did_not_issue_is_refused(upstream, which):
    job, result = first_turn()
    forged = signature_for(job.model.model_id, b"some other content")

    parts = [
        TurnPart({**p.fields, "thought_signature": base64.urlsafe_b64encode(forged).decode()}, p.data)
        if (p.is_image if which == "image" else not p.is_image) else p
        for p in result.parts
    ]
    with pytest.raises(GatewayError) as failure:
        follow_up(job, parts)
    assert "Thought signature is not valid" in failure.value.message


def test_signatures_do_not_cross_models(upstream):
    _, result = first_turn("nano-banana-2")
    pro = check_image_settings(model="nano-banana-pro", aspect_ratio="1:1", image_size=None, thinking_level=None)

    with pytest.raises(GatewayError) as failure:
        follow_up(pro, result.parts)
    assert "Thought signature is not valid" in failure.value.message


def test_nano_banana_neither_returns_nor_checks_signatures(upstream):
    job, result = first_turn("nano-banana")
    assert not any("thought_signature" in part.fields for part in result.parts)

    follow_up(job, result.parts)
    assert upstream.state.log[-1]["status"] == 200
