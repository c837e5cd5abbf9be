"""The batches' admin keeps the tenant wall: another project's batch is 404, not shown in lists."""

import pytest
from django.contrib.auth.models import Permission

from apps.batches.models import UpstreamBatch
from tests.factories import ProjectFactory, member

pytestmark = pytest.mark.django_db


def staff_member(project, role):
    user = member(project, role)
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="view_upstreambatch"))
    return user


def test_members_see_their_projects_batches_and_others_get_404(client, project):
    batch = UpstreamBatch.objects.create(project=project, model="gemini-3.1-flash-image-preview", upstream_name="batches/tenant-a")
    elsewhere = staff_member(ProjectFactory(), "owner")
    client.force_login(elsewhere)
    assert client.get(f"/admin/batches/upstreambatch/{batch.pk}/change/").status_code == 404
    assert "batches/tenant-a" not in client.get("/admin/batches/upstreambatch/").content.decode()

    client.force_login(staff_member(project, "viewer"))
    assert client.get(f"/admin/batches/upstreambatch/{batch.pk}/change/").status_code == 200
    assert "batches/tenant-a" in client.get("/admin/batches/upstreambatch/").content.decode()
