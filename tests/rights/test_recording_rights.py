"""Recording rights (REST, pages), the project's requirement, documents, the expiring view, the digest."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.audit.models import AuditEvent
from apps.rights import services
from apps.rights.models import EffectiveRights, Right
from tests.factories import LibraryEntryFactory, reference_image
from tests.images import image_bytes
from tests.rights.conftest import made_with, right_on, today, yesterday

pytestmark = pytest.mark.django_db


def test_a_right_on_a_reference_image_is_validated_and_audited(api, project, mira, editor, viewer):
    url = f"/api/v1/reference-images/{mira.pk}/rights/"
    good = {"holder": "Mira Jones", "kind": "talent_release", "territories": ["de", "AT"], "channels": "instagram, web",
            "starts_on": "2026-01-01", "ends_on": "2027-03-31", "licence": "Release #42"}

    created = api(editor).post(url, good, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert body["territories"] == ["AT", "DE"] and body["channels"] == ["instagram", "web"] and body["ends_on"] == "2027-03-31"
    assert AuditEvent.objects.get(action="rights.created").after["holder"] == "Mira Jones"
    assert api(viewer).get(url).json()[0]["holder"] == "Mira Jones"
    assert api(viewer).post(url, good, format="json").status_code == 403
    for change, field in [({"territories": ["XX"]}, "territories"), ({"holder": ""}, "holder"), ({"kind": "borrowed"}, "kind"),
                          ({"starts_on": "2027-01-01", "ends_on": "2026-01-01"}, "ends_on"), ({"ends_on": "31.03.2027"}, "ends_on"),
                          ({"channels": ["Insta gram!"]}, "channels"), ({"territories": ["worldwide", "DE"]}, "territories")]:
        refused = api(editor).post(url, {**good, **change}, format="json")
        assert refused.status_code == 400, change
        assert refused.json()["error"]["field"] == field, (change, refused.json())
    assert Right.objects.count() == 1


def test_a_document_is_a_pdf_or_an_image_capped_and_private(api, project, mira, editor, viewer, settings):
    url = f"/api/v1/reference-images/{mira.pk}/rights/"
    pdf = SimpleUploadedFile("release.pdf", b"%PDF-1.4\n% signed release\n", content_type="application/pdf")
    created = api(editor).post(url, {"holder": "Mira Jones", "kind": "talent_release", "document": pdf}, format="multipart")
    assert created.status_code == 201, created.content
    right_id = created.json()["id"]
    document = api(editor).get(f"/api/v1/rights/{right_id}/document/")
    assert document.status_code == 200 and b"".join(document.streaming_content).startswith(b"%PDF-1.4")
    assert api(viewer).get(f"/api/v1/rights/{right_id}/document/").status_code == 403
    script = SimpleUploadedFile("release.pdf", b"#!/bin/sh\necho hi\n")
    refused = api(editor).post(url, {"holder": "Mira Jones", "kind": "talent_release", "document": script}, format="multipart")
    assert refused.status_code == 400 and refused.json()["error"]["field"] == "document"
    settings.RIGHTS_DOCUMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("scan.png", image_bytes(64, 64))
    too_big = api(editor).post(url, {"holder": "Mira Jones", "kind": "talent_release", "document": big}, format="multipart")
    assert too_big.status_code == 413 and too_big.json()["error"]["details"]["limit"] == 100


def test_a_project_can_require_rights_on_every_new_reference_image(api, project, owner, editor):
    entry = api(editor).post(f"/api/v1/projects/{project.id}/characters/", {"name": "Mira"}, format="json").json()
    assert api(editor).patch(f"/api/v1/projects/{project.id}/rights-policy/", {"require_on_references": True}, format="json").status_code == 403
    assert api(owner).patch(f"/api/v1/projects/{project.id}/rights-policy/", {"require_on_references": True}, format="json").status_code == 200
    images = f"/api/v1/characters/{entry['id']}/images/"

    refused = api(editor).post(images, {"image": SimpleUploadedFile("m.png", image_bytes(64, 64))}, format="multipart")

    assert refused.status_code == 400
    error = refused.json()["error"]
    assert error["code"] == "rights_required" and error["details"]["missing"] == ["rights_holder", "rights_kind"]
    assert "rights_holder" in error["message"] and "rights_kind" in error["message"]
    half = api(editor).post(images, {"image": SimpleUploadedFile("m.png", image_bytes(64, 64)), "rights_holder": "Mira Jones"}, format="multipart")
    assert half.status_code == 400 and half.json()["error"]["field"] == "rights_kind"
    accepted = api(editor).post(images, {"image": SimpleUploadedFile("m.png", image_bytes(64, 64)), "rights_holder": "Mira Jones",
                                         "rights_kind": "talent_release", "rights_territories": "DE, AT", "rights_ends_on": "2027-03-31"},
                                format="multipart")
    assert accepted.status_code == 201, accepted.content
    right = Right.objects.get(reference_image_id=accepted.json()["id"])
    assert (right.holder, right.territories, right.ends_on.isoformat()) == ("Mira Jones", ["AT", "DE"], "2027-03-31")
    assert AuditEvent.objects.filter(action="rights.policy_changed").count() == 1


def test_the_expiring_view_and_filter_list_what_ends_soon(api, client, project, mira, family, editor):
    soon = reference_image(LibraryEntryFactory(project=project, name="Kai"), colour=(9, 9, 9))
    right_on(mira, ends_on=yesterday())
    right_on(soon, holder="Kai Berg", ends_on=today() + timedelta(days=10))
    later = made_with(project, [soon])
    services.rights_nightly()

    listed = api(editor).get(f"/api/v1/projects/{project.id}/rights/expiring/?days=30").json()
    assert [row["asset"] for row in listed][-1] == str(later.pk) and len(listed) == 4
    assert {row["state"] for row in listed} == {"expired", "expiring"}
    within = api(editor).get(f"/api/v1/projects/{project.id}/assets/?rights_end_before={(today() + timedelta(days=30)).isoformat()}").json()
    assert len(within["results"]) == 4
    before_today = api(editor).get(f"/api/v1/projects/{project.id}/assets/?rights_end_before={today().isoformat()}").json()
    assert len(before_today["results"]) == 3
    expired = api(editor).get(f"/api/v1/projects/{project.id}/assets/?rights=expired").json()
    assert sorted(a["id"] for a in expired["results"]) == sorted(str(a.pk) for a in family.values())

    client.force_login(editor)
    page = client.get(f"/projects/{project.id}/rights/").content.decode()
    assert "Kai Berg" in page and "3 expired" in page
    gallery = client.get(f"/projects/{project.id}/gallery/?rights=expiring").content.decode()
    assert str(later.pk) in gallery and str(family["draft"].pk) not in gallery and "Rights end " in gallery


def test_the_digest_warns_owners_30_then_7_days_ahead_once_each(project, owner, editor, mira, family, django_capture_on_commit_callbacks):
    """Through the team's notifications: each owner is told once per threshold (the bell and, by
    default, an email at once); editors are not."""
    from apps.workflow.models import Event, Notification

    from config.celery import app as celery_app

    celery_app.conf.task_always_eager = True
    owner.email = "owner@example.com"
    owner.save()
    right = right_on(mira, ends_on=today() + timedelta(days=25))
    try:
        with django_capture_on_commit_callbacks(execute=True):
            assert services.rights_nightly()["warned"] == 3
        [warning] = Notification.objects.filter(event=Event.RIGHTS_EXPIRING)
        assert warning.user == owner and warning.text.startswith(f"Rights of 3 assets in {project.name} end soon:") and "Mira Jones" in warning.text
        assert warning.url == f"/projects/{project.pk}/rights/"
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["owner@example.com"] and "Rights of 3 assets" in mail.outbox[0].subject
        assert services.rights_nightly()["warned"] == 0  # the same warning is not sent twice
        Right.objects.filter(pk=right.pk).update(ends_on=today() + timedelta(days=6))
        with django_capture_on_commit_callbacks(execute=True):
            assert services.rights_nightly()["warned"] == 3
        assert Notification.objects.filter(event=Event.RIGHTS_EXPIRING, user=owner).count() == 2 and len(mail.outbox) == 2
        assert not Notification.objects.filter(user=editor).exists()
    finally:
        celery_app.conf.task_always_eager = False


def test_the_asset_page_says_where_and_until_when_and_owners_can_override(client, project, owner, editor, family):
    mira = family["draft"].generation.references.get().reference_image
    right_on(mira, holder="Mira Jones", territories=["DE", "AT", "CH"], ends_on=today() + timedelta(days=400))
    services.rights_nightly()
    client.force_login(editor)
    page = client.get(f"/assets/{family['final'].pk}/").content.decode()
    assert f"Valid in AT, CH, DE until {(today() + timedelta(days=400)).isoformat()}, from the talent release for Mira (Mira Jones)." in page
    assert "Record an override" not in page  # editors do not override; and nothing has ended

    Right.objects.filter(pk=mira.rights.get().pk).update(ends_on=yesterday())
    services.rights_nightly()
    page = client.get(f"/assets/{family['final'].pk}/").content.decode()
    assert "Rights expired" in page and "Download refused" in page and "Record an override" not in page
    client.force_login(owner)
    page = client.get(f"/assets/{family['final'].pk}/").content.decode()
    assert "Record an override" in page
    response = client.post(f"/assets/{family['final'].pk}/rights/override/", {"reason": "Renewal signed, paper on file", "until": (today() + timedelta(days=3)).isoformat()})
    assert response.status_code == 302
    page = client.get(f"/assets/{family['final'].pk}/").content.decode()
    assert "Renewal signed, paper on file" in page and "Download refused" not in page
    assert EffectiveRights.objects.get(asset=family["final"]).override_by == owner


def test_the_library_entry_page_records_a_right_on_its_images(client, project, editor, viewer, mira, queue_inline):
    client.force_login(editor)
    page = client.get(f"/library/{mira.entry_id}/").content.decode()
    assert "Record a right" in page
    with queue_inline():
        response = client.post(f"/library/{mira.entry_id}/rights/", {
            "images": [str(mira.pk)], "holder": "Mira Jones", "kind": "talent_release", "territories": "DE, AT",
            "ends_on": (today() + timedelta(days=30)).isoformat(),
            "document": SimpleUploadedFile("release.pdf", b"%PDF-1.4 signed"),
        })
    assert response.status_code == 302
    right = Right.objects.get(reference_image=mira)
    assert right.territories == ["AT", "DE"] and right.document_name == "release.pdf"
    refused = client.post(f"/library/{mira.entry_id}/rights/", {"images": [str(mira.pk)], "holder": "X", "kind": "stock", "territories": "Germany"}, follow=True)
    assert "Territories are ISO 3166" in refused.content.decode() and Right.objects.count() == 1
    client.force_login(viewer)
    page = client.get(f"/library/{mira.entry_id}/").content.decode()
    assert "Mira Jones" in page and "Record a right" not in page


def test_webhook_announces_a_change_to_every_descendant(project, mira, family, editor, queue_inline):
    from apps.webhooks.models import WebhookDelivery, WebhookEndpoint

    WebhookEndpoint.objects.create(project=project, url="http://127.0.0.1:9/hook", events=["asset.rights_changed"])
    services.effective_rights_refresh([a.pk for a in family.values()])
    with queue_inline():
        services.right_create(project=project, user=editor, reference_image=mira, fields={"holder": "Mira Jones", "kind": "talent_release", "territories": ["DE"]})
    deliveries = WebhookDelivery.objects.filter(event="asset.rights_changed")
    assert sorted(d.payload["data"]["asset"] for d in deliveries) == sorted(str(a.pk) for a in family.values())
    assert {tuple(d.payload["data"]["territories"]) for d in deliveries} == {("DE",)}


def test_the_reviewers_asset_list_in_the_admin_filters_by_rights(client, project, owner, mira, family):
    from tests.factories import stored_asset

    other = stored_asset(project, width=64, height=48)
    right_on(mira, ends_on=yesterday())
    services.rights_nightly()
    client.force_login(owner)

    page = client.get("/admin/assets/asset/?rights=expired&status=all").content.decode()

    assert all(str(asset.pk) in page for asset in family.values()) and str(other.pk) not in page
    assert "Ending within 30 days" in page  # the filter's choices are listed beside the list
