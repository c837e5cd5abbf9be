import pytest
from django.core.management import call_command

from apps.campaigns.models import Campaign
from apps.library.models import LibraryEntry

pytestmark = pytest.mark.django_db


def test_the_demo_project_gets_a_library_and_a_sample_campaign_once(settings, tmp_path, client):
    settings.VAR_DIR = tmp_path
    for _ in range(2):
        call_command("demo_setup", stdout=open("/dev/null", "w"))
        call_command("demo_campaign", stdout=open("/dev/null", "w"))

    entries = LibraryEntry.objects.order_by("kind", "name")
    assert [(e.kind, e.name, e.images.count()) for e in entries] == [
        ("character", "Mia", 1), ("object", "Bottle", 1), ("object", "Road Two", 1), ("object", "Trail One", 1),
    ]
    campaign = Campaign.objects.get()
    assert campaign.cells.count() == 12 and campaign.languages == ["de", "fr"]
    client.login(username="demo", password=(tmp_path / "demo_password").read_text().strip())
    assert b"Run drafts: 12 jobs" in client.get(f"/campaigns/{campaign.pk}/").content
