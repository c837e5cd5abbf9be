"""The brand kit over REST (owners edit, members read, clear refusals, audited), uploads, rechecks
after a kit change with their progress and webhook, and readings a dead worker left behind."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEvent
from apps.checks import services
from apps.checks.models import AssetCheck
from apps.gemini.emulator.render import render_photo
from tests.checks.helpers import announce, checks, failing, generate, house_kit, outcomes
from tests.factories import stored_asset
from tests.webhooks.receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE = 'A bottle on a beach, with the headline "Jetzt entdecken und sparen"'


def test_an_upload_of_a_photo_without_text_passes_copy_as_no_text_expected(api, owner, editor, project, run_tasks_inline):
    response = api(editor).post(
        f"/api/v1/projects/{project.id}/assets/", {"image": SimpleUploadedFile("p.png", render_photo(width=800, height=600))}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    announce([response.json()["id"]])

    reading = checks(api, editor, response.json()["id"])
    copy = next(r for r in reading["results"] if r["check"] == "copy")
    assert copy["outcome"] == "pass" and copy["message"] == "No text expected, and none found."
    size = next(r for r in reading["results"] if r["check"] == "size")
    assert size["outcome"] == "pass" and size["figures"]["actual"] == [800, 600]
    assert reading["status"] == "passed", reading["results"]


def test_a_palette_change_and_a_recheck_turn_a_passing_asset_failing_with_the_webhook(
    api, owner, editor, project, upstream, run_tasks_inline, settings
):
    settings.WEBHOOK_TEST_ALLOW_LOOPBACK = True
    kit = house_kit(api, owner, project)
    asset = generate(api, editor, project, HEADLINE)
    assert checks(api, editor, asset["id"])["status"] == "passed"
    receiver = Receiver()
    hook = api(owner).post(f"/api/v1/projects/{project.id}/webhooks/", {"url": receiver.url, "events": ["asset.checked"]}, format="json")
    assert hook.status_code == 201, hook.json()

    changed = api(owner).patch(
        f"/api/v1/projects/{project.id}/brand-kit/", {"palette": [{"name": "Signal red", "hex": "#D32F2F", "role": "primary"}]}, format="json"
    )
    assert changed.status_code == 200 and changed.json()["version"] == kit["version"] + 1
    recheck = api(owner).post(f"/api/v1/projects/{project.id}/brand-kit/recheck/")
    assert recheck.status_code == 202 and recheck.json()["total"] == 1

    reading = checks(api, editor, asset["id"])
    assert failing(reading) == {"palette"} and reading["kit_version"] == kit["version"] + 1
    palette = next(r for r in reading["results"] if r["check"] == "palette")
    assert palette["figures"]["share_on_brand"] < 0.5 and "Signal red" in {d.get("nearest") for d in palette["figures"]["dominant"]}
    progress = api(editor).get(f"/api/v1/projects/{project.id}/brand-kit/").json()["recheck"]
    assert progress == {"id": recheck.json()["id"], "total": 1, "done": 1}
    [delivery] = receiver.wait_for(1)
    import json

    body = json.loads(delivery["body"])
    assert body["type"] == "asset.checked"
    assert body["data"] | {} == {"asset": asset["id"], "status": "failed", "kit_version": kit["version"] + 1, "failed": ["palette"], "attention": []}
    event = AuditEvent.objects.filter(project=project, action="brand_kit.changed").first()
    assert event.before["palette"][0]["name"] == "Deep teal" and event.after["palette"][0]["name"] == "Signal red"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"palette": [{"name": "Teal", "hex": "teal", "role": "primary"}]}, "palette[0].hex", ["#RRGGBB", "'teal'"]),
        ({"palette": [{"name": "Teal", "hex": "#0F5257", "role": "main"}]}, "palette[0].role", ["primary, secondary, accent", "'main'"]),
        ({"tolerance": 80}, "tolerance", ["0.5 to 50", "80"]),
        ({"min_brand_share": 1.5}, "min_brand_share", ["0 to 1", "1.5"]),
        ({"terms": {"xx": {"forbidden": ["gratis"]}}}, "terms.xx", ["unknown language", "'xx'"]),
        ({"terms": {"de": {"forbidden": [""]}}}, "terms.de.forbidden[0]", ["1 to 100 characters"]),
        ({"colour": "#FFFFFF"}, "colour", ["Unknown field", "palette"]),
    ],
)
def test_a_bad_kit_is_refused_naming_field_limit_and_value(api, owner, project, body, field, words):
    response = api(owner).patch(f"/api/v1/projects/{project.id}/brand-kit/", body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["field"] == field
    for word in words:
        assert word in error["message"], error["message"]
    assert api(owner).get(f"/api/v1/projects/{project.id}/brand-kit/").json()["version"] == 1


def test_members_read_the_kit_and_only_owners_change_it(api, owner, editor, viewer, project):
    assert api(viewer).get(f"/api/v1/projects/{project.id}/brand-kit/").json()["tolerance"] == 10
    assert api(editor).patch(f"/api/v1/projects/{project.id}/brand-kit/", {"tolerance": 5}, format="json").status_code == 403
    terms = {"de": {"forbidden": ["gratis"]}, "*": {"required": ["Acme"]}}
    response = api(owner).patch(f"/api/v1/projects/{project.id}/brand-kit/", {"terms": terms, "forbidden_colours": ["#ff00ff"]}, format="json")
    assert response.status_code == 200
    assert response.json()["terms"] == {"de": {"required": [], "forbidden": ["gratis"]}, "*": {"required": ["Acme"], "forbidden": []}}
    assert response.json()["forbidden_colours"] == ["#FF00FF"] and response.json()["version"] == 2
    again = api(owner).patch(f"/api/v1/projects/{project.id}/brand-kit/", {"forbidden_colours": ["#FF00FF"]}, format="json")
    assert again.json()["version"] == 2  # nothing changed: no new version, no audit row
    assert AuditEvent.objects.filter(project=project, action="brand_kit.changed").count() == 1


def test_terms_fail_when_forbidden_present_or_required_missing(api, owner, editor, project, upstream, run_tasks_inline):
    house_kit(api, owner, project, terms={"de": {"forbidden": ["sparen"]}, "*": {"required": ["Acme"]}})
    asset = generate(api, editor, project, HEADLINE)

    reading = checks(api, editor, asset["id"])
    assert failing(reading) == {"terms"}
    terms = next(r for r in reading["results"] if r["check"] == "terms")
    assert terms["figures"]["missing"] == ["Acme"] and terms["figures"]["found"] == ["sparen"]


def test_a_reading_left_checking_by_a_dead_worker_is_rerun_by_recovery_never_passed(api, owner, editor, project, upstream, run_tasks_inline, settings):
    from django.utils import timezone

    house_kit(api, owner, project)
    asset = generate(api, editor, project, HEADLINE)
    # A worker took the task and died: the row is `checking`, queued long ago, one attempt spent.
    hour_ago = timezone.now() - timezone.timedelta(hours=1)
    AssetCheck.objects.filter(asset_id=asset["id"]).update(
        status="checking", results=[], attempts=1, queued_at=hour_ago, started_at=hour_ago, finished_at=None
    )
    waiting = stored_asset(project)  # queued an hour ago but never taken: still in the broker, left alone
    AssetCheck.objects.update_or_create(asset=waiting, defaults={
        "status": "checking", "results": [], "attempts": 0, "queued_at": hour_ago, "started_at": None, "finished_at": None,
    })
    assert api(editor).get(f"/api/v1/assets/{asset['id']}/").json()["checks"]["status"] == "checking"

    assert services.checks_recover() == 1
    assert checks(api, editor, asset["id"])["status"] == "passed"
    assert AssetCheck.objects.get(asset=waiting).status == "checking"

    settings.CHECK_MAX_ATTEMPTS = 2
    AssetCheck.objects.filter(asset_id=asset["id"]).update(status="checking", attempts=2, queued_at=hour_ago, started_at=hour_ago)
    services.checks_recover()
    reading = checks(api, editor, asset["id"])
    assert reading["status"] == "attention" and outcomes(reading) == {"checks": "unavailable"}


def test_without_tesseract_text_checks_are_unavailable_naming_the_package_never_passed(
    api, owner, editor, project, upstream, run_tasks_inline, monkeypatch
):
    from apps.checks.pixels import ocr

    house_kit(api, owner, project)
    monkeypatch.setenv("PATH", "/nonexistent")
    ocr.installed_languages.cache_clear()
    try:
        asset = generate(api, editor, project, HEADLINE)
        reading = checks(api, editor, asset["id"])
    finally:
        monkeypatch.undo()
        ocr.installed_languages.cache_clear()
    results = {r["check"]: r for r in reading["results"]}
    for name in ("copy", "spelling", "language", "contrast"):
        assert results[name]["outcome"] == "unavailable"
        assert "apt-get install tesseract-ocr" in results[name]["message"]
    assert results["palette"]["outcome"] == "pass" and reading["status"] == "attention"


def test_without_the_dictionary_spelling_is_unavailable_naming_the_package(api, owner, editor, project, upstream, run_tasks_inline, monkeypatch, tmp_path):
    from apps.checks.pixels import dictionaries

    house_kit(api, owner, project)
    monkeypatch.setattr(dictionaries, "HUNSPELL_DIRS", (str(tmp_path),))
    asset = generate(api, editor, project, 'A poster with the headline "Achetez maintenant"')
    spelling = next(r for r in checks(api, editor, asset["id"])["results"] if r["check"] == "spelling")
    assert spelling["outcome"] == "unavailable" and "apt-get install hunspell-fr" in spelling["message"]
