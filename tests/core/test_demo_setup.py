import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.projects.models import Membership

pytestmark = pytest.mark.django_db


def test_demo_login_gives_an_owner_and_a_reviewer_who_can_log_in_and_running_it_again_changes_nothing(client, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("demo_setup", stdout=open("/dev/null", "w"))
    call_command("demo_setup", stdout=open("/dev/null", "w"))
    password = (tmp_path / "demo_password").read_text().strip()
    roles = dict(Membership.objects.values_list("user__username", "role"))
    assert roles == {"demo": "owner", "demo-reviewer": "reviewer"}
    for username in roles:
        response = client.post(reverse("login"), {"username": username, "password": password})
        assert response.status_code == 302, username
        client.logout()
