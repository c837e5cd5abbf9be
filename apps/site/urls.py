"""The composing pages' URLs, under the names they always had."""

from django.urls import path

from apps.site import brand_kit, project_home, settings_page

urlpatterns = [
    path("projects/<uuid:project_id>/", project_home.project_home, name="project-home"),
    path("projects/<uuid:project_id>/settings/", settings_page.settings_page, name="settings-page"),
    path("projects/<uuid:project_id>/brand-kit/", brand_kit.brand_kit_page, name="brand-kit-page"),
]
