from django.urls import path

from apps.generations import views

urlpatterns = [
    path("projects/<uuid:project_id>/generate/", views.generate, name="generate"),
    path("jobs/<uuid:generation_id>/", views.generation_page, name="generation-page"),
    path("jobs/<uuid:generation_id>/cancel/", views.generation_cancel, name="job-cancel"),
    path("assets/<uuid:asset_id>/derive/", views.derive, name="derive"),
    path("assets/<uuid:asset_id>/region-edit/", views.region_edit, name="region-edit-page"),
    path("assets/<uuid:asset_id>/region-edit/preview/", views.region_edit_preview, name="region-edit-preview"),
]
