"""Every stored image is read against the brand kit: the emulator draws the quoted copy (and breaks
exactly one thing per fault marker), the real SDK brings it back, `asset_stored` queues the checks
task, and the results say what a reviewer would otherwise have to notice."""

import pytest

from apps.checks.models import AssetCheck
from tests.checks.helpers import checks, failing, generate, house_kit, outcomes

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE = 'A bottle on a beach at noon, with the headline "Jetzt entdecken und sparen"'


@pytest.fixture
def kit(api, owner, project):
    return house_kit(api, owner, project)


def test_a_clean_image_passes_every_check_and_the_asset_says_so(api, owner, editor, project, kit, upstream, run_tasks_inline):
    asset = generate(api, editor, project, HEADLINE)

    reading = checks(api, editor, asset["id"])
    assert reading["status"] == "passed", reading
    assert set(outcomes(reading)) == {"copy", "spelling", "language", "terms", "palette", "logo", "contrast", "size", "near_duplicate"}
    copy = next(r for r in reading["results"] if r["check"] == "copy")
    assert copy["figures"]["expected"] == "Jetzt entdecken und sparen"
    assert copy["figures"]["similarity"] == 1.0 and copy["boxes"]
    logo = next(r for r in reading["results"] if r["check"] == "logo")
    assert logo["boxes"] and logo["boxes"][0][0] > 700  # the mark sits top right
    language = next(r for r in reading["results"] if r["check"] == "language")
    assert language["figures"]["detected"] == "de"
    assert reading["kit_version"] == kit["version"]

    summary = api(editor).get(f"/api/v1/assets/{asset['id']}/").json()["checks"]
    assert summary["status"] == "passed" and summary["failed"] == []


@pytest.mark.parametrize(
    ("marker", "fails"),
    [
        ("[fault:typo]", {"copy", "spelling"}),
        ("[fault:offpalette]", {"palette"}),
        ("[fault:nologo]", {"logo"}),
        ("[fault:lowcontrast]", {"contrast"}),
    ],
)
def test_each_fault_marker_fails_exactly_its_own_check(api, editor, project, kit, upstream, run_tasks_inline, marker, fails):
    asset = generate(api, editor, project, f"{HEADLINE} {marker}")

    reading = checks(api, editor, asset["id"])
    assert failing(reading) == fails, reading["results"]
    assert reading["status"] == "failed"
    assert {name for name, outcome in outcomes(reading).items() if outcome != "pass"} == fails


def test_a_typo_is_named_with_its_suggestion(api, editor, project, kit, upstream, run_tasks_inline):
    asset = generate(api, editor, project, f"{HEADLINE} [fault:typo]")

    results = {r["check"]: r for r in checks(api, editor, asset["id"])["results"]}
    changed = [d for d in results["copy"]["figures"]["diff"] if d["op"] == "changed"]
    assert changed == [{"op": "changed", "expected": ["entdecken"], "read": ["entedcken"]}]
    [misspelled] = results["spelling"]["figures"]["misspelled"]
    assert misspelled["word"] == "entedcken" and "entdecken" in misspelled["suggestions"]


def test_a_translation_in_the_wrong_language_fails_only_language(api, editor, project, kit, upstream, run_tasks_inline):
    source = generate(api, editor, project, HEADLINE)
    right = generate(api, editor, project, "", kind="translate", target_language="fr", source_assets=[source["id"]])
    wrong = generate(api, editor, project, "[fault:wronglanguage]", kind="translate", target_language="fr", source_assets=[source["id"]])

    assert checks(api, editor, right["id"])["status"] == "passed", checks(api, editor, right["id"])["results"]
    reading = checks(api, editor, wrong["id"])
    assert failing(reading) == {"language"}, reading["results"]
    language = next(r for r in reading["results"] if r["check"] == "language")
    assert "English" in language["message"] and "French" in language["message"]


def test_the_row_is_checking_before_the_worker_reads_it(api, editor, project, kit, upstream, run_tasks_inline, settings):
    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = False  # the job runs inline; its checks wait on the queue
    try:
        from apps.assets.models import Asset
        from apps.assets.signals import asset_stored

        asset = Asset.objects.create(project=project, file="x.png", mime_type="image/png", width=1, height=1, size_bytes=1, sha256="0" * 64)
        asset_stored.send(sender=Asset, asset=asset)
    finally:
        celery_app.conf.task_always_eager = True
    row = AssetCheck.objects.get(asset=asset)
    assert row.status == "checking" and row.results == [] and row.queued_at
    summary = api(editor).get(f"/api/v1/assets/{asset.id}/").json()["checks"]
    assert summary["status"] == "checking"
