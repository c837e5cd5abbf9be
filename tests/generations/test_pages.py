import pytest
from django.urls import reverse

from apps.assets.models import Asset, AssetLink
from apps.generations.models import Generation, Status
from tests.factories import LibraryEntryFactory, member, reference_image, stored_asset

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def logged_in_editor(client, project):
    editor = member(project, "editor")
    client.force_login(editor)
    return editor


def _form(**fields):
    return {"prompt": "Mia holding the mug", "model": "nano-banana-2", "image_size": "512", "aspect_ratio": "4:5", "count": 1, "request_key": "k1", **fields}


def test_generate_with_a_character_makes_an_asset_and_the_job_page_shows_it(client, project, logged_in_editor, upstream, run_tasks_inline):
    mia = LibraryEntryFactory(project=project, name="Mia")
    reference_image(mia)
    reference_image(mia, colour=(1, 2, 3))
    response = client.post(reverse("generate", args=[project.pk]), _form(characters=[str(mia.pk)]))
    job = Generation.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("generation-page", args=[job.pk])
    assert job.status == Status.SUCCEEDED and job.references.count() == 2
    asset = Asset.objects.get(generation=job)
    page = client.get(response["Location"]).content.decode()
    assert reverse("asset-page", args=[asset.pk]) in page
    card = page[page.index(f'id="job-{job.pk}"'):]
    assert "hx-trigger" not in card[: card.index(">")]  # finished: the card stops asking for itself


def test_htmx_post_returns_a_self_updating_job_card(client, project, logged_in_editor):
    response = client.post(reverse("generate", args=[project.pk]), _form(), **HTMX)
    job = Generation.objects.get()
    card = response.content.decode()
    assert response.status_code == 200 and job.status == Status.QUEUED
    assert f'id="job-{job.pk}"' in card and 'hx-trigger="every 1s"' in card
    assert 'hx-swap-oob="true"' in card  # a fresh request key, so the next submit is a new job


def test_the_same_form_submitted_twice_makes_one_job(client, project, logged_in_editor):
    client.post(reverse("generate", args=[project.pk]), _form(request_key="same"))
    client.post(reverse("generate", args=[project.pk]), _form(request_key="same"))
    assert Generation.objects.count() == 1


@pytest.mark.parametrize(
    "fields, field, words",
    [
        ({"model": "nano-banana", "image_size": "4K"}, "image_size", "does not support image size"),
        ({"model": "nano-banana-pro", "aspect_ratio": "8:1"}, "aspect_ratio", "does not support aspect ratio"),
        ({"model": "nano-banana", "thinking_level": "high", "image_size": "1K"}, "thinking_level", "This model has no thinking level"),
        ({"model": "nano-banana-pro", "image_size": "1K", "image_search": "on"}, "image_search", "does not support Google image search"),
        ({"prompt": ""}, "prompt", "This field is required"),
        ({"count": 9}, "count", "less than or equal to 4"),
    ],
)
def test_refusals_appear_next_to_their_field(client, project, logged_in_editor, fields, field, words):
    response = client.post(reverse("generate", args=[project.pk]), _form(**fields), **HTMX)
    page = response.content.decode()
    assert response.status_code == 400 and response["HX-Retarget"] == "#generate-form"
    assert f'id="id_{field}_error"' in page or field in ("image_search",)
    assert words in page
    assert not Generation.objects.exists()


def test_an_entry_from_another_project_is_refused(client, project, logged_in_editor):
    foreign = LibraryEntryFactory()
    response = client.post(reverse("generate", args=[project.pk]), _form(characters=[str(foreign.pk)]))
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()


def test_viewer_gets_403_and_no_job(client, project, viewer):
    client.force_login(viewer)
    assert client.get(reverse("generate", args=[project.pk])).status_code == 403
    response = client.post(reverse("generate", args=[project.pk]), _form())
    assert response.status_code == 403
    assert "Your role (viewer) may not create generations" in response.content.decode()
    assert not Generation.objects.exists()


@pytest.mark.parametrize(
    "post, kind, relation, outputs",
    [
        ({"action": "edit", "prompt": "make the mug red"}, "edit", "edited_from", 1),
        ({"action": "translate", "target_languages": "ja"}, "translate", "translated_from", 1),
        ({"action": "upscale", "image_size": "4K"}, "upscale", "upscaled_from", 1),
        ({"action": "variations", "count": 2}, "generate", "composed_from", 2),
    ],
)
def test_asset_page_actions_make_linked_jobs(client, project, logged_in_editor, upstream, run_tasks_inline, post, kind, relation, outputs):
    source = stored_asset(project, user=logged_in_editor)
    response = client.post(reverse("derive", args=[source.pk]), post, **HTMX)
    assert response.status_code == 200, response.content.decode()
    job = Generation.objects.get()
    assert job.kind == kind and job.status == Status.SUCCEEDED
    children = Asset.objects.filter(generation=job)
    assert children.count() == outputs
    assert AssetLink.objects.filter(child=children.get(output_index=0), parent=source, relation=relation).exists()


def test_translate_without_a_language_names_the_field(client, project, logged_in_editor):
    source = stored_asset(project, user=logged_in_editor)
    response = client.post(reverse("derive", args=[source.pk]), {"action": "translate"}, **HTMX)
    assert response.status_code == 400
    assert "Tick at least one language to translate into." in response.content.decode()
    assert not Generation.objects.exists()


def test_translate_into_several_languages_makes_one_job_each(client, project, logged_in_editor):
    source = stored_asset(project, user=logged_in_editor)
    response = client.post(reverse("derive", args=[source.pk]), {"action": "translate", "target_languages": ["de", "ja", "fr"]}, **HTMX)
    assert response.status_code == 200
    jobs = Generation.objects.filter(kind="translate")
    assert sorted(jobs.values_list("target_language", flat=True)) == ["de", "fr", "ja"]
    assert all(list(job.source_assets.all()) == [source] for job in jobs)
    assert response.content.decode().count('class="job"') == 3
    assert "Translation → Japanese" in response.content.decode()


def test_an_edit_without_a_prompt_says_so_in_plain_words(client, project, logged_in_editor):
    source = stored_asset(project, user=logged_in_editor)
    response = client.post(reverse("derive", args=[source.pk]), {"action": "edit", "prompt": "  "}, **HTMX)
    assert response.status_code == 400
    body = response.content.decode()
    assert "Say what should change" in body and "A edit job" not in body
    assert not Generation.objects.exists()


def test_a_prompt_over_the_limit_is_kept_whole_and_refused_with_both_numbers(client, project, logged_in_editor):
    from apps.gemini import catalogue

    long_prompt = "a" * (catalogue.MAX_PROMPT_CHARS + 1400)
    response = client.post(reverse("generate", args=[project.pk]), _form(prompt=long_prompt))
    assert response.status_code == 400
    body = response.content.decode()
    assert f"at most {catalogue.MAX_PROMPT_CHARS} characters; this one has {len(long_prompt)}" in body
    assert long_prompt in body  # nothing lost: the whole text is back in the box
    assert 'maxlength="' not in body.split('id="id_prompt"')[0].rsplit("<textarea", 1)[-1]
    assert not Generation.objects.exists()


def test_use_prompt_and_settings_fills_the_form_from_a_job(client, project, logged_in_editor):
    client.post(reverse("generate", args=[project.pk]), _form(prompt="teal bottle on a beach", aspect_ratio="16:9", image_size="512"))
    job = Generation.objects.get()
    page = client.get(reverse("generate", args=[project.pk]) + f"?from={job.pk}").content.decode()
    assert "teal bottle on a beach</textarea>" in page
    assert '<option value="16:9" selected>' in page and '<option value="512" selected>' in page


def test_an_asset_becomes_a_reference_image_of_a_new_job(client, project, logged_in_editor):
    asset = stored_asset(project, user=logged_in_editor)
    page = client.get(reverse("generate", args=[project.pk]) + f"?reference={asset.pk}").content.decode()
    assert f'name="source_assets" value="{asset.pk}"' in page
    client.post(reverse("generate", args=[project.pk]), _form(source_assets=[str(asset.pk)]))
    job = Generation.objects.get()
    assert list(job.source_assets.all()) == [asset]


def test_viewer_may_not_derive(client, project, viewer):
    source = stored_asset(project)
    client.force_login(viewer)
    assert client.post(reverse("derive", args=[source.pk]), {"action": "edit", "prompt": "x"}).status_code == 403
    assert not Generation.objects.exists()


def test_a_queued_job_is_canceled_from_its_card_and_a_finished_one_is_left_alone(client, project, logged_in_editor):
    client.post(reverse("generate", args=[project.pk]), _form())
    job = Generation.objects.get()
    card = client.get(reverse("generation-page", args=[job.pk]), **HTMX).content.decode()
    assert reverse("job-cancel", args=[job.pk]) in card
    response = client.post(reverse("job-cancel", args=[job.pk]), **HTMX)
    assert response.status_code == 200 and 'data-status="canceled"' in response.content.decode()
    again = client.post(reverse("job-cancel", args=[job.pk]), **HTMX)
    assert again.status_code == 200 and 'data-status="canceled"' in again.content.decode()
    job.refresh_from_db()
    assert job.status == Status.CANCELED


def test_viewer_sees_no_cancel_and_may_not_cancel(client, project, logged_in_editor, viewer):
    client.post(reverse("generate", args=[project.pk]), _form())
    job = Generation.objects.get()
    client.force_login(viewer)
    assert reverse("job-cancel", args=[job.pk]) not in client.get(reverse("generation-page", args=[job.pk])).content.decode()
    assert client.post(reverse("job-cancel", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == Status.QUEUED


def test_a_budget_refusal_shows_above_the_form(client, project, logged_in_editor):
    from decimal import Decimal

    project.monthly_budget_usd = Decimal("0.01")
    project.save()
    response = client.post(reverse("generate", args=[project.pk]), _form())
    assert response.status_code == 400
    assert "over the project&#x27;s monthly budget" in response.content.decode()
    assert not Generation.objects.exists()


def test_your_jobs_can_hide_campaign_jobs(client, project, logged_in_editor):
    """Issue 28 item 16: a campaign stage's dozens of jobs need not bury one's own."""
    from apps.campaigns.models import CampaignJob, StageRun
    from apps.campaigns.services import CampaignInput, campaign_create

    product = LibraryEntryFactory(project=project, kind="object", name="Trail shoe")
    campaign = campaign_create(project=project, user=logged_in_editor, data=CampaignInput(name="Spring", products=[product.pk], scenes=["a park"], formats=["1:1"]))
    run = StageRun.objects.create(campaign=campaign, stage="drafts", jobs_created=1, estimate_usd=0, created_by=logged_in_editor)
    def job(prompt):
        return Generation.objects.create(project=project, prompt=prompt, model="gemini-3.1-flash-image-preview", aspect_ratio="1:1", image_size="1K", created_by=logged_in_editor)
    _mine, theirs = job("MY-OWN-JOB"), job("CAMPAIGN-DRAFT-JOB")
    CampaignJob.objects.create(cell=campaign.cells.first(), stage="drafts", generation=theirs, stage_run=run)
    url = reverse("generate", args=[project.pk])
    page = client.get(url).content.decode()
    assert "MY-OWN-JOB" in page and "CAMPAIGN-DRAFT-JOB" in page and "Hide campaign jobs (1)" in page
    hidden = client.get(url, {"campaign_jobs": "hide"}).content.decode()
    assert "MY-OWN-JOB" in hidden and "CAMPAIGN-DRAFT-JOB" not in hidden and "Show them (1)" in hidden
