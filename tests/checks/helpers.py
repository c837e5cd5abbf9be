"""Shared steps of the brand-check tests: a project with the emulator's house kit and mark, jobs run
through the real SDK against the emulator, and the `asset_stored` signal."""

from django.core.files.uploadedfile import SimpleUploadedFile

from apps.assets.models import Asset
from apps.assets.signals import asset_stored
from apps.gemini.emulator import copy_render

HOUSE_KIT = {"palette": copy_render.HOUSE_PALETTE, "min_brand_share": 0.5, "logo_required": True}


def house_kit(api, owner, project, **extra) -> dict:
    """The kit the emulator draws on (its palette, its mark as the logo)."""
    response = api(owner).patch(f"/api/v1/projects/{project.id}/brand-kit/", HOUSE_KIT | extra, format="json")
    assert response.status_code == 200, response.json()
    entry = api(owner).post(f"/api/v1/projects/{project.id}/logos/", {"name": "House mark"}, format="json").json()
    image = SimpleUploadedFile("mark.png", copy_render.mark_png())
    added = api(owner).post(f"/api/v1/logos/{entry['id']}/images/", {"image": image}, format="multipart")
    assert added.status_code == 201, added.json()
    return response.json()


def announce(asset_ids) -> None:
    """Send `asset_stored` for assets a job stored (what the engine does once it fires the signal;
    a second reading is harmless)."""
    for asset in Asset.objects.filter(pk__in=list(asset_ids)):
        asset_stored.send(sender=Asset, asset=asset)


def generate(api, user, project, prompt: str, **body) -> dict:
    """A job over REST, run inline through the SDK and the emulator; its outputs announced."""
    response = api(user).post(
        f"/api/v1/projects/{project.id}/generations/",
        {"prompt": prompt, "model": "nano-banana-2", "aspect_ratio": "1:1", "image_size": "1K"} | body,
        format="json",
    )
    assert response.status_code == 201, response.json()
    job = api(user).get(f"/api/v1/generations/{response.json()['id']}/").json()
    assert job["status"] == "succeeded", job
    announce(a["id"] for a in job["assets"])
    return job["assets"][0]


def checks(api, user, asset_id) -> dict:
    response = api(user).get(f"/api/v1/assets/{asset_id}/checks/")
    assert response.status_code == 200, response.json()
    return response.json()


def outcomes(reading: dict) -> dict:
    return {r["check"]: r["outcome"] for r in reading["results"]}


def failing(reading: dict) -> set:
    return {name for name, outcome in outcomes(reading).items() if outcome == "fail"}
