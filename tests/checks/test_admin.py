"""The brand kit in the admin: the same rules and messages as REST, a new version and an audit row per change."""

import pytest

from apps.audit.models import AuditEvent
from apps.checks.models import BrandKit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return user


def form(kit, **changes):
    data = {
        "project": kit.project_id, "palette": '[{"name": "Teal", "hex": "#0F5257", "role": "primary"}]', "tolerance": "10",
        "min_brand_share": "", "forbidden_colours": "[]", "logo_required": "", "terms": "{}", "min_contrast": "4.5",
        "min_contrast_large": "3.0",
    }
    return data | changes


def test_an_admin_change_is_validated_versioned_and_audited(client, operator, project):
    kit = BrandKit.objects.create(project=project)
    url = f"/admin/checks/brandkit/{kit.pk}/change/"

    refused = client.post(url, form(kit, palette='[{"name": "Teal", "hex": "teal", "role": "primary"}]'))
    assert refused.status_code == 200 and "palette[0].hex must be a colour as #RRGGBB; got &#x27;teal&#x27;." in refused.content.decode()
    kit.refresh_from_db()
    assert kit.version == 1 and kit.palette == []

    saved = client.post(url, form(kit))
    assert saved.status_code == 302
    kit.refresh_from_db()
    assert kit.version == 2 and kit.palette == [{"name": "Teal", "hex": "#0F5257", "role": "primary"}]
    event = AuditEvent.objects.get(project=project, action="brand_kit.changed")
    assert event.actor == operator and event.after["version"] == 2
