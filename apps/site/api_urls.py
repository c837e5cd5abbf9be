"""REST endpoints that compose several apps, under the names they always had."""

from django.urls import path

from apps.site import project_export

urlpatterns = [
    path("projects/<uuid:project_id>/exports/", project_export.ProjectExportApi.as_view(), name="project-export"),
]
