"""Refining from the asset page in a real browser (Chromium, live server, real worker, emulator)."""


import pytest
from playwright.sync_api import expect

from apps.assets.models import Asset
from apps.generations.models import Generation
from apps.generations.services import GenerationInput, generation_create
from apps.refinements.models import Turn
from tests.factories import ProjectFactory
from tests.integration.test_pages_in_browser import log_in
from tests.waiting import wait_for

pytestmark = pytest.mark.integration


def wait_for_asset(job, timeout=30.0) -> Asset:
    def finished():
        job.refresh_from_db()
        return job.status in ("succeeded", "failed")

    wait_for(finished, timeout, what=lambda: f"job {job.pk} finished (still {job.status})")
    assert job.status == "succeeded", job.error_message
    return job.assets.get()


def test_editor_refines_twice_from_the_asset_page_and_sees_both_turns_without_reloading(browser_page, person, worker, upstream):
    page = browser_page
    project = ProjectFactory(name="Acme Coffee")
    erin = person(project, "editor", "erin")
    job, _ = generation_create(project=project, user=erin, data=GenerationInput(prompt="a green bottle on a beach", image_size="512"))
    asset = wait_for_asset(job)
    log_in(page, "erin")

    page.goto(f"/assets/{asset.pk}/")
    page.wait_for_load_state("load")  # the panel's script is loaded
    page.evaluate("window.notReloaded = true")
    panel = page.get_by_role("region", name="Refine")
    box = panel.get_by_label("Next instruction")
    for turn, words in enumerate(["warmer light", "move the bottle left"], start=1):
        box.fill(words)
        box.press("Control+Enter")
        answers = panel.locator(".message.model[data-status]")
        expect(answers).to_have_count(turn, timeout=30_000)
        expect(answers.nth(turn - 1)).to_have_attribute("data-status", "succeeded", timeout=30_000)
        expect(box).to_be_enabled()

    assert page.evaluate("window.notReloaded") is True
    expect(panel.locator(".message.user .text")).to_have_text(["a green bottle on a beach", "warmer light", "move the bottle left"])
    expect(panel.locator(".message.model img")).to_have_count(3)  # the seed image and both answers

    first, second = Generation.objects.filter(kind="refine").order_by("created_at")
    assert first.refinement_turn.thread_id == second.refinement_turn.thread_id
    assert second.sources.get().asset == first.assets.get()  # the second turn refined the first turn's image
    assert Turn.objects.get(generation=second).depth == 2
    assert upstream.state.log[-1]["contents"][1] == {"role": "model", "parts": upstream.state.log[0]["reply"]}
