from django.urls import path

from apps.assets.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/assets/", views.AssetListApi.as_view(), name="asset-list"),
    path("assets/<uuid:asset_id>/", views.AssetDetailApi.as_view(), name="asset-detail"),
    path("assets/<uuid:asset_id>/file/", views.AssetFileApi.as_view(), name="asset-file"),
    path("assets/<uuid:asset_id>/thumbnail/", views.AssetThumbnailApi.as_view(), name="asset-thumbnail"),
    path("assets/<uuid:asset_id>/display/", views.AssetDisplayApi.as_view(), name="asset-display"),
    path("assets/<uuid:asset_id>/credentials/", views.AssetCredentialsApi.as_view(), name="asset-credentials"),
    path("assets/<uuid:asset_id>/lineage/", views.AssetLineageApi.as_view(), name="asset-lineage"),
]
