"""Where people see checks: the asset page's panel (diff, swatches, boxes), badges on tiles, the
review queue, the admin list; the "needs attention" filters everywhere; the brand kit page."""

import json
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.approvals.models import ReviewPolicy
from apps.audit.models import AuditEvent
from apps.checks.models import BrandKit
from tests.factories import asset_check, stored_asset

pytestmark = pytest.mark.django_db

COPY_FAILED = {
    "check": "copy", "outcome": "fail", "message": "The text differs from the expected copy in 1 place(s).",
    "figures": {"expected": "Shop now", "read": "Shop nwo", "similarity": 0.875, "source": "campaign copy (de)",
                "diff": [{"op": "equal", "expected": ["shop"], "read": ["shop"]}, {"op": "changed", "expected": ["now"], "read": ["nwo"]}]},
    "boxes": [[100, 50, 200, 40]],
}
PALETTE_WARN = {
    "check": "palette", "outcome": "warn", "message": "The main colour #2E8B57 is off brand.",
    "figures": {"dominant": [{"hex": "#2E8B57", "share": 0.62, "nearest": "Teal", "nearest_hex": "#0F8B8D", "delta_e": 14.27, "on_brand": False},
                             {"hex": "#FFFFFF", "share": 0.3, "nearest": "White", "nearest_hex": "#FFFFFF", "delta_e": 0.0, "on_brand": True}],
                "tolerance": 10.0, "min_brand_share": None, "share_on_brand": 0.3},
    "boxes": [],
}
LOGO_PASS = {"check": "logo", "outcome": "pass", "message": "The logo is in the image.", "figures": {}, "boxes": [[500, 400, 80, 60]]}
SPELLING_FAILED = {"check": "spelling", "outcome": "fail", "message": "1 word(s) not in the German dictionary: “nwo”.",
                   "figures": {"language": "de", "misspelled": [{"word": "nwo", "suggestions": ["now", "two"]}]}, "boxes": [[100, 50, 200, 40]]}


def test_asset_page_panel_shows_outcomes_diff_swatches_and_boxes(client, project, editor):
    asset = stored_asset(project, user=editor, width=640, height=480)
    asset_check(asset, results=[COPY_FAILED, SPELLING_FAILED, PALETTE_WARN, LOGO_PASS])
    client.force_login(editor)

    page = client.get(f"/assets/{asset.pk}/").content.decode()

    assert 'class="badge checks-failed"' in page and "Checks failed" in page
    assert '<mark class="diff-changed" title="differs">now</mark>' in page  # expected side
    assert '<mark class="diff-changed" title="differs">nwo</mark>' in page  # read side
    assert "Similarity 88%" in page and "campaign copy (de)" in page
    assert "nwo</mark> → now, two" in page
    assert 'data-colour="#2E8B57"' in page and "Teal <span class=\"nowrap\">ΔE 14.3 ✗</span>" in page and "On brand: 30%" in page
    assert 'data-width="640" data-height="480"' in page and "data-checks-image" in page
    boxes = json.loads(re.search(r'<script id="check-boxes" type="application/json">(.*?)</script>', page, re.S).group(1))
    # The copy and spelling boxes are the same line: drawn once, naming both checks.
    assert sorted((b["kind"], tuple(b["box"]), tuple(b["checks"]), b["outcome"]) for b in boxes) == [
        ("logo", (500, 400, 80, 60), ("logo",), "pass"), ("text", (100, 50, 200, 40), ("copy", "spelling"), "fail"),
    ]
    assert "<script>" not in page and ' style="' not in page.split("<main")[1].split("</main>")[0]  # CSP: no inline script or style


def test_a_page_says_checking_or_not_checked(client, project, editor):
    waiting, never = stored_asset(project, user=editor), stored_asset(project, user=editor)
    asset_check(waiting, checking=True)
    client.force_login(editor)
    assert "Checking against the brand kit" in client.get(f"/assets/{waiting.pk}/").content.decode()
    assert "Not checked yet." in client.get(f"/assets/{never.pk}/").content.decode()


def _project_with_every_status(project, editor):
    assets = {}
    for name, reading in {"passed": {}, "attention": {"warned": ("palette",)}, "failed": {"failed": ("copy",)}, "checking": {"checking": True}}.items():
        assets[name] = stored_asset(project, user=editor)
        asset_check(assets[name], **reading)
    assets["unchecked"] = stored_asset(project, user=editor)
    return assets


def test_gallery_tiles_carry_badges_and_filter_by_checks(client, project, editor):
    assets = _project_with_every_status(project, editor)
    client.force_login(editor)

    page = client.get(f"/projects/{project.pk}/gallery/").content.decode()
    for status, label in [("passed", "Checks passed"), ("attention", "Needs attention"), ("failed", "Checks failed"), ("checking", "Checking")]:
        assert f'<span class="badge checks-{status}" data-checks="{status}"' in page and label in page

    attention = client.get(f"/projects/{project.pk}/gallery/", {"checks": "attention"}).content.decode()
    assert str(assets["attention"].pk) in attention and str(assets["failed"].pk) not in attention and "1 asset match" in attention


def test_gallery_query_count_does_not_grow_with_tiles(client, project, editor):
    client.force_login(editor)
    _project_with_every_status(project, editor)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/projects/{project.pk}/gallery/")
    for _ in range(6):
        asset_check(stored_asset(project, user=editor), failed=("logo",))
    with CaptureQueriesContext(connection) as more:
        client.get(f"/projects/{project.pk}/gallery/")
    assert len(more.captured_queries) == len(few.captured_queries)


def test_rest_asset_list_filters_by_checks(api, project, editor):
    assets = _project_with_every_status(project, editor)
    url = f"/api/v1/projects/{project.pk}/assets/"
    for status in ("passed", "attention", "failed", "checking"):
        listed = api(editor).get(url, {"checks": status}).json()["results"]
        assert [row["id"] for row in listed] == [str(assets[status].pk)] and listed[0]["checks"]["status"] == status
    refused = api(editor).get(url, {"checks": "nope"})
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "checks"


def test_rest_asset_list_query_count_does_not_grow(api, project, editor):
    _project_with_every_status(project, editor)
    url = f"/api/v1/projects/{project.pk}/assets/"
    with CaptureQueriesContext(connection) as few:
        api(editor).get(url)
    for _ in range(5):
        asset_check(stored_asset(project, user=editor), failed=("copy",))
    with CaptureQueriesContext(connection) as more:
        api(editor).get(url)
    assert len(more.captured_queries) == len(few.captured_queries)


def test_review_queue_badge_panel_and_filter(client, project, editor, reviewer):
    assets = _project_with_every_status(project, editor)
    client.force_login(reviewer)
    failed = client.get(f"/projects/{project.pk}/review/", {"checks": "failed"}).content.decode()
    assert "1 waiting" in failed and str(assets["failed"].pk) in failed and "Checks failed" in failed and "Brand checks" in failed
    assert "Approve all that pass" in failed
    nothing = client.get(f"/projects/{project.pk}/review/", {"checks": "passed"})
    assert str(assets["passed"].pk) in nothing.content.decode()


def test_admin_list_shows_the_checks_column_and_filters(client, project, editor, reviewer):
    assets = _project_with_every_status(project, editor)
    client.force_login(reviewer)
    page = client.get("/admin/assets/asset/").content.decode()
    assert "Needs attention" in page and "Checks failed" not in page and ">Failed<" in page
    attention = client.get("/admin/assets/asset/", {"checks": "attention"}).content.decode()
    assert str(assets["attention"].pk) in attention and str(assets["failed"].pk) not in attention
    unchecked = client.get("/admin/assets/asset/", {"checks": "none"}).content.decode()
    assert str(assets["unchecked"].pk) in unchecked and str(assets["passed"].pk) not in unchecked
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/assets/asset/")
    for _ in range(5):
        asset_check(stored_asset(project, user=editor), failed=("copy",))
    with CaptureQueriesContext(connection) as more:
        client.get("/admin/assets/asset/")
    assert len(more.captured_queries) == len(few.captured_queries)


# --- the brand kit page


def kit_form(**overrides):
    data = {
        "palette_rows": "3", "palette-0-name": "Teal", "palette-0-hex": "#0f8b8d", "palette-0-role": "primary",
        "palette-1-name": "Sand", "palette-1-hex": "E8D8B0", "palette-1-role": "secondary", "palette-2-name": "", "palette-2-hex": "",
        "tolerance": "8", "min_brand_share": "40", "forbidden_colours": "#FF0000, 00ff00", "logo_required": "on",
        "term_rows": "2", "terms-0-language": "de", "terms-0-required": "Jetzt", "terms-0-forbidden": "gratis, umsonst",
        "terms-1-language": "*", "terms-1-forbidden": "Rivalco", "min_contrast": "4.5", "min_contrast_large": "3",
        "checks_must_pass": "on",
    }
    return data | overrides


def test_owner_saves_the_kit_through_the_service_with_an_audit_row(client, project, owner):
    client.force_login(owner)
    page = client.get(f"/projects/{project.pk}/brand-kit/")
    assert page.status_code == 200 and 'id="brand-kit-form"' in page.content.decode()
    assert f'href="/projects/{project.pk}/brand-kit/" aria-current="page">Brand kit</a>' in page.content.decode()

    response = client.post(f"/projects/{project.pk}/brand-kit/", kit_form(), follow=True)

    assert "Brand kit saved (v2)." in response.content.decode() and "checks must pass" in response.content.decode()
    kit = BrandKit.objects.get(project=project)
    assert kit.palette == [{"name": "Teal", "hex": "#0F8B8D", "role": "primary"}, {"name": "Sand", "hex": "#E8D8B0", "role": "secondary"}]
    assert (kit.tolerance, kit.min_brand_share, kit.logo_required) == (8.0, 0.4, True)
    assert kit.forbidden_colours == ["#FF0000", "#00FF00"]
    assert kit.terms == {"de": {"required": ["Jetzt"], "forbidden": ["gratis", "umsonst"]}, "*": {"required": [], "forbidden": ["Rivalco"]}}
    assert ReviewPolicy.objects.get(project=project).checks_must_pass is True
    assert sorted(AuditEvent.objects.values_list("action", flat=True)) == ["brand_kit.changed", "review_policy.changed"]
    # The REST API reads what the page wrote.
    again = client.get(f"/projects/{project.pk}/brand-kit/").content.decode()
    assert 'value="Teal"' in again and 'value="40.0"' in again and "gratis, umsonst" in again


def test_a_bad_value_is_refused_naming_the_field_and_keeps_what_was_typed(client, project, owner):
    client.force_login(owner)
    response = client.post(f"/projects/{project.pk}/brand-kit/", kit_form(**{"palette-1-hex": "#12345G", "tolerance": "80"}))
    page = response.content.decode()
    assert response.status_code == 400 and "palette[1].hex" in page and "#12345G" in page and "Nothing was saved." in page
    assert BrandKit.objects.get(project=project).version == 1 and not AuditEvent.objects.exists()
    too_far = client.post(f"/projects/{project.pk}/brand-kit/", kit_form(tolerance="80"))
    assert too_far.status_code == 400 and "tolerance must be a number from 0.5 to 50" in too_far.content.decode()


def test_members_read_the_kit_and_may_not_change_it(client, project, owner, editor, outsider):
    client.force_login(owner)
    client.post(f"/projects/{project.pk}/brand-kit/", kit_form())
    client.force_login(editor)
    page = client.get(f"/projects/{project.pk}/brand-kit/").content.decode()
    assert "Only the project's owners change the brand kit." in page and "Teal" in page and 'id="brand-kit-form"' not in page
    assert ">Brand kit</a>" not in page.split("<main")[0]  # the navigation links it for owners only
    assert client.post(f"/projects/{project.pk}/brand-kit/", kit_form(tolerance="5")).status_code == 403
    assert BrandKit.objects.get(project=project).tolerance == 8.0
    client.force_login(outsider)
    assert client.get(f"/projects/{project.pk}/brand-kit/").status_code == 404
