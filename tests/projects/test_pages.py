import pytest
from django.urls import reverse

from tests.factories import ProjectFactory, member, stored_asset

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_log_in(client, project):
    response = client.get(reverse("project-home", args=[project.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_log_in_lands_on_the_project_list_showing_only_my_projects(client, project):
    user = member(project, "editor", username="erin")
    user.set_password("pw-123456")
    user.save()
    other = ProjectFactory(name="Someone else's brand")
    response = client.post(reverse("login"), {"username": "erin", "password": "pw-123456"}, follow=True)
    page = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("projects")
    assert project.name in page and other.name not in page


def test_wrong_password_says_so_next_to_the_form(client, project):
    member(project, "editor", username="erin")
    response = client.post(reverse("login"), {"username": "erin", "password": "nope"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_project_home_shows_waiting_reviews_and_spend(client, project):
    editor = member(project, "editor")
    stored_asset(project, user=editor)
    client.force_login(editor)
    page = client.get(reverse("project-home", args=[project.pk])).content.decode()
    assert "1</strong> waiting for review" in page
    assert "spent this month" in page
    assert "Generate an image" in page


def test_viewer_home_has_no_generate_button(client, project, viewer):
    client.force_login(viewer)
    page = client.get(reverse("project-home", args=[project.pk])).content.decode()
    assert "Generate an image" not in page
    assert reverse("generate", args=[project.pk]) not in page


def test_non_member_gets_404_on_every_project_page(client, project, outsider):
    client.force_login(outsider)
    for name in ("project-home", "library", "generate", "gallery", "review-queue"):
        assert client.get(reverse(name, args=[project.pk])).status_code == 404, name


@pytest.mark.parametrize("role", ["owner", "editor", "reviewer", "viewer"])
def test_every_page_opens_for_every_role_and_generate_only_for_roles_that_may(client, project, role):
    from tests.factories import LibraryEntryFactory

    user = member(project, role)
    asset = stored_asset(project, user=member(project, "editor"))
    entry = LibraryEntryFactory(project=project)
    client.force_login(user)
    pages = {
        reverse("projects"): 200,
        reverse("project-home", args=[project.pk]): 200,
        reverse("library", args=[project.pk]): 200,
        reverse("library-entry", args=[entry.pk]): 200,
        reverse("gallery", args=[project.pk]): 200,
        reverse("asset-page", args=[asset.pk]): 200,
        reverse("review-queue", args=[project.pk]): 200,
        reverse("generate", args=[project.pk]): 200 if role in ("owner", "editor") else 403,
    }
    assert {url: client.get(url).status_code for url in pages} == pages
