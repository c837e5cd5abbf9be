from django.urls import path

from apps.checks.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/brand-kit/", views.BrandKitApi.as_view(), name="brand-kit"),
    path("projects/<uuid:project_id>/brand-kit/recheck/", views.BrandKitRecheckApi.as_view(), name="brand-kit-recheck"),
    path("assets/<uuid:asset_id>/checks/", views.AssetChecksApi.as_view(), name="asset-checks"),
]
