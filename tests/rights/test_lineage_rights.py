"""Issue 31: rights that follow the lineage. A release ending makes every descendant expired;
downloads refuse, exports leave them out and list them; an override lets one through."""

import io
import json
import zipfile
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.audit.models import AuditEvent
from apps.rights import services
from apps.rights.models import EffectiveRights
from apps.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.factories import LibraryEntryFactory, reference_image, stored_asset
from tests.rights.conftest import made_with, right_on, today, yesterday

pytestmark = pytest.mark.django_db


def approve_all(assets):
    from apps.assets.models import Asset

    Asset.objects.filter(pk__in=[a.pk for a in assets]).update(review_status="approved")


def export(api, user, url):
    response = api(user).get(url)
    assert response.status_code == 200, response.content[:300]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    return archive, json.loads(archive.read("manifest.json"))


def test_a_release_that_ended_yesterday_expires_the_draft_its_translation_and_its_4k_final(api, project, mira, family, editor, owner):
    right = right_on(mira, holder="Mira Jones", ends_on=yesterday())
    WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["asset.rights_changed"])

    outcome = services.rights_nightly()

    assert outcome["expired"] == 3
    for name, asset in family.items():
        response = api(editor).get(f"/api/v1/assets/{asset.pk}/file/")
        assert response.status_code == 409, name
        error = response.json()["error"]
        assert error["code"] == "rights_expired"
        assert "Mira Jones" in error["message"] and yesterday().isoformat() in error["message"] and "Mira" in error["message"]
        assert error["details"]["reference"]["id"] == str(mira.pk) and error["details"]["holder"] == "Mira Jones"
        assert error["details"]["ends_on"] == yesterday().isoformat()
        # signing (the credentialed copy, the credentials panel) refuses too
        assert api(editor).get(f"/api/v1/assets/{asset.pk}/credentials/").status_code == 409
        assert api(editor).get(f"/api/v1/assets/{asset.pk}/").json()["rights"]["state"] == "expired"
    expired_events = WebhookDelivery.objects.filter(event="asset.rights_changed", payload__data__reason="expired")
    assert sorted(d.payload["data"]["asset"] for d in expired_events) == sorted(str(a.pk) for a in family.values())
    # a second night announces nothing again
    assert services.rights_nightly()["expired"] == 0
    # an unrelated upload still downloads
    other = stored_asset(project, width=64, height=48)
    assert api(editor).get(f"/api/v1/assets/{other.pk}/file/").status_code == 200

    # the project export leaves them out and lists them under left_out
    approve_all([*family.values(), other])
    archive, manifest = export(api, editor, f"/api/v1/projects/{project.id}/exports/")
    assert [a["id"] for a in manifest["assets"]] == [str(other.pk)]
    assert sorted(item["asset"] for item in manifest["left_out"]) == sorted(str(a.pk) for a in family.values())
    assert {item["code"] for item in manifest["left_out"]} == {"rights_expired"}
    assert len(archive.namelist()) == 2

    # an override lets the final through until its own date, audited
    final = family["final"]
    response = api(owner).post(f"/api/v1/assets/{final.pk}/rights/override/",
                               {"reason": "Agency agreed by mail 2026-12-01", "until": (today() + timedelta(days=5)).isoformat()}, format="json")
    assert response.status_code == 200, response.content
    assert api(editor).get(f"/api/v1/assets/{final.pk}/file/").status_code == 200
    assert api(editor).get(f"/api/v1/assets/{family['draft'].pk}/file/").status_code == 409
    event = AuditEvent.objects.get(project=project, action="rights.override_set")
    assert event.after == {"reason": "Agency agreed by mail 2026-12-01", "until": (today() + timedelta(days=5)).isoformat()}
    assert api(editor).get(f"/api/v1/assets/{final.pk}/").json()["rights"]["override"]["active"] is True
    # the override ends with its date
    EffectiveRights.objects.filter(asset=final).update(override_until=yesterday())
    assert api(editor).get(f"/api/v1/assets/{final.pk}/file/").status_code == 409
    assert right.pk  # the right itself is untouched


def test_only_owners_record_overrides_and_the_reason_and_date_are_checked(api, project, mira, family, editor, owner):
    right_on(mira, ends_on=yesterday())
    url = f"/api/v1/assets/{family['draft'].pk}/rights/override/"
    until = (today() + timedelta(days=3)).isoformat()
    assert api(editor).post(url, {"reason": "ok", "until": until}, format="json").status_code == 403
    missing = api(owner).post(url, {"reason": " ", "until": until}, format="json")
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "reason"
    past = api(owner).post(url, {"reason": "ok", "until": yesterday().isoformat()}, format="json")
    assert past.status_code == 400 and past.json()["error"]["field"] == "until"
    assert not AuditEvent.objects.filter(action="rights.override_set").exists()


def test_extending_the_release_clears_all_three_in_one_change(api, project, mira, family, editor, queue_inline):
    right = right_on(mira, ends_on=yesterday())
    services.rights_nightly()
    assert all(api(editor).get(f"/api/v1/assets/{a.pk}/file/").status_code == 409 for a in family.values())

    with queue_inline():
        response = api(editor).patch(f"/api/v1/rights/{right.pk}/", {"ends_on": (today() + timedelta(days=365)).isoformat()}, format="json")

    assert response.status_code == 200, response.content
    for asset in family.values():
        assert api(editor).get(f"/api/v1/assets/{asset.pk}/file/").status_code == 200
    event = AuditEvent.objects.get(project=project, action="rights.changed")
    assert event.before["ends_on"] == yesterday().isoformat() and event.after["ends_on"] == (today() + timedelta(days=365)).isoformat()


def _chain(project, image, depth):
    parent = made_with(project, [image])
    chain = [parent]
    for _ in range(depth - 1):
        parent = made_with(project, [], parents=[(parent, "edited_from")], kind="edit")
        chain.append(parent)
    return chain


@pytest.mark.parametrize("depth", [3, 12])
def test_a_recompute_costs_the_same_queries_whatever_the_depth(project, depth):
    image = reference_image(LibraryEntryFactory(project=project, name="Deep"))
    right = right_on(image, ends_on=yesterday())
    chain = _chain(project, image, depth)

    with CaptureQueriesContext(connection) as queries:
        services.descendants_refresh(kind="reference_image", pk=right.reference_image_id)

    assert all(services.is_expired(row) for row in EffectiveRights.objects.filter(asset__in=chain))
    assert EffectiveRights.objects.filter(asset__in=chain).count() == depth
    # discovery 2, lock 1, ancestors 1, generations 1, references 1, rights 1, existing 1, writes, webhooks 1
    assert len(queries) <= 12, [q["sql"][:120] for q in queries.captured_queries]
    QUERY_COUNTS[depth] = len(queries)
    if len(QUERY_COUNTS) == 2:
        assert QUERY_COUNTS[3] == QUERY_COUNTS[12]


QUERY_COUNTS = {}


def test_territories_intersect_and_an_export_for_fr_leaves_the_de_only_asset_out(api, project, editor):
    germany_only = reference_image(LibraryEntryFactory(project=project, name="Hans"))
    anywhere = reference_image(LibraryEntryFactory(project=project, name="Shoe", kind="object"), colour=(200, 10, 10))
    right_on(germany_only, holder="Hans Maier", territories=["DE"])
    right_on(anywhere, holder="Stock Ltd", kind="stock")  # worldwide
    both = made_with(project, [germany_only, anywhere])
    shoe_only = made_with(project, [anywhere])
    services.effective_rights_refresh([both.pk, shoe_only.pk])
    assert EffectiveRights.objects.get(asset=both).territories == ["DE"]
    assert EffectiveRights.objects.get(asset=shoe_only).territories is None
    approve_all([both, shoe_only])

    _, in_france = export(api, editor, f"/api/v1/projects/{project.id}/exports/?territory=FR")
    _, in_germany = export(api, editor, f"/api/v1/projects/{project.id}/exports/?territory=de")

    assert [a["id"] for a in in_france["assets"]] == [str(shoe_only.pk)]
    assert [(item["asset"], item["code"]) for item in in_france["left_out"]] == [(str(both.pk), "rights_territory")]
    assert in_france["territory"] == "FR"
    assert sorted(a["id"] for a in in_germany["assets"]) == sorted([str(both.pk), str(shoe_only.pk)]) and in_germany["left_out"] == []
    # the rights travel in the manifest (and so in the Content Credentials assertion, which describes the same)
    entry = next(a for a in in_germany["assets"] if a["id"] == str(both.pk))
    assert entry["rights"]["territories"] == ["DE"] and entry["rights"]["holders"] == ["Hans Maier", "Stock Ltd"]
    bad = api(editor).get(f"/api/v1/projects/{project.id}/exports/?territory=XX")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "territories"


def test_a_window_is_the_latest_start_to_the_earliest_end(project):
    a = reference_image(LibraryEntryFactory(project=project, name="A"))
    b = reference_image(LibraryEntryFactory(project=project, name="B"), colour=(1, 2, 3))
    right_on(a, starts_on=today() - timedelta(days=30), ends_on=today() + timedelta(days=90), channels=["instagram", "web"])
    right_on(b, holder="B Agency", kind="licensed", starts_on=today() - timedelta(days=10), ends_on=today() + timedelta(days=20), channels=["web"])
    asset = made_with(project, [a, b])
    row = services.effective_rights_of(asset)
    assert (row.starts_on, row.ends_on, row.channels) == (today() - timedelta(days=10), today() + timedelta(days=20), ["web"])
    assert row.limiting["holder"] == "B Agency"
    with pytest.raises(services.RightsRestricted) as refused:
        services.use_check(asset, use="placement", channel="instagram")
    assert refused.value.code == "rights_channel"
    assert services.use_check(asset, use="placement", channel="web", territory="FR") == row


def test_an_upload_carries_its_own_rights_to_what_is_made_from_it(api, project, editor):
    upload = stored_asset(project, width=64, height=48)
    response = api(editor).post(f"/api/v1/assets/{upload.pk}/rights/", {"holder": "Getty", "kind": "stock", "ends_on": yesterday().isoformat()}, format="json")
    assert response.status_code == 201, response.content
    edit = made_with(project, [], parents=[(upload, "edited_from")], kind="edit")
    services.rights_nightly()
    assert api(editor).get(f"/api/v1/assets/{edit.pk}/file/").json()["error"]["details"]["reference"]["type"] == "upload"
    generated = made_with(project, [])
    refused = api(editor).post(f"/api/v1/assets/{generated.pk}/rights/", {"holder": "X", "kind": "stock"}, format="json")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_an_upload"


def test_the_gallery_selection_zip_leaves_expired_assets_out(client, project, mira, family, editor):
    right_on(mira, ends_on=yesterday())
    services.rights_nightly()
    other = stored_asset(project, width=64, height=48)
    client.force_login(editor)
    response = client.post(f"/projects/{project.id}/gallery/selection/",
                           {"action": "download", "assets": [str(family["final"].pk), str(other.pk)]})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert [item["asset"] for item in manifest["left_out"]] == [str(family["final"].pk)]
    assert len(manifest["assets"]) == 1


def test_the_content_credentials_carry_the_effective_rights_and_the_override(api, project, mira, family, editor, owner):
    right_on(mira, holder="Mira Jones", territories=["DE", "AT"], ends_on=today() + timedelta(days=90))
    services.rights_nightly()
    answer = api(editor).get(f"/api/v1/assets/{family['draft'].pk}/credentials/").json()
    assert "platform" in answer, answer
    platform = answer["platform"]
    assert platform["rights"] == {"holders": ["Mira Jones"], "window": {"starts_on": None, "ends_on": (today() + timedelta(days=90)).isoformat()},
                                  "territories": ["AT", "DE"], "channels": "all", "override": None}
    EffectiveRights.objects.filter(asset=family["draft"]).update(ends_on=yesterday())
    services.override_set(asset=family["draft"], user=owner, reason="Renewal in progress", until=today() + timedelta(days=2))
    platform = api(editor).get(f"/api/v1/assets/{family['draft'].pk}/credentials/").json()["platform"]
    assert platform["rights"]["override"] == {"reason": "Renewal in progress", "until": (today() + timedelta(days=2)).isoformat()}


def test_placements_follow_the_rights_expired_and_channel_limited(api, client, project, mira, family, editor):
    """A placement file is a delivery too: refused once the release ends, and for a channel the
    right does not cover; the display copy the pages show is refused like the file."""
    draft = family["draft"]
    right = right_on(mira, holder="Mira Jones", channels=["meta"])
    services.effective_rights_refresh([a.pk for a in family.values()])

    assert api(editor).get(f"/api/v1/assets/{draft.pk}/placements/meta_feed_4x5/").status_code == 200
    refused = api(editor).get(f"/api/v1/assets/{draft.pk}/placements/iab_leaderboard/")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "rights_channel"

    right.channels, right.ends_on = [], yesterday()
    right.save()
    services.effective_rights_refresh([a.pk for a in family.values()])
    expired = api(editor).get(f"/api/v1/assets/{draft.pk}/placements/meta_feed_4x5/")
    assert expired.status_code == 409 and expired.json()["error"]["code"] == "rights_expired"
    assert api(editor).get(f"/api/v1/assets/{draft.pk}/display/").status_code == 409
    assert api(editor).get(f"/api/v1/assets/{draft.pk}/thumbnail/").status_code == 200  # pages still show what it is
    client.force_login(editor)
    panel = client.get(f"/assets/{draft.pk}/placements/").content.decode()
    assert panel.count("Not delivered: The rights to use this asset ended") == 1 and ">Download</a>" not in panel
