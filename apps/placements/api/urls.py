from django.urls import path

from apps.placements.api import views

urlpatterns = [
    path("placements/", views.PlacementListApi.as_view(), name="placement-list"),
    path("projects/<uuid:project_id>/placements/", views.ProjectPlacementListApi.as_view(), name="project-placements"),
    path("assets/<uuid:asset_id>/placements/", views.AssetPlacementListApi.as_view(), name="asset-placements"),
    path("assets/<uuid:asset_id>/placements/<str:key>/", views.AssetPlacementFileApi.as_view(), name="asset-placement-file"),
]
