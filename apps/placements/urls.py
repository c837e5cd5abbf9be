from django.urls import path

from apps.placements import views

urlpatterns = [
    path("assets/<uuid:asset_id>/placements/", views.placements_panel, name="asset-placements-panel"),
    path("assets/<uuid:asset_id>/focal-point/", views.focal_point, name="asset-focal-point"),
    path("projects/<uuid:project_id>/placements/", views.project_placements_page, name="project-placements-page"),
]
