from django.urls import path

from apps.refinements.api import views

urlpatterns = [
    path("assets/<uuid:asset_id>/refine/", views.AssetRefineApi.as_view(), name="asset-refine"),
    path("assets/<uuid:asset_id>/thread/", views.AssetThreadApi.as_view(), name="asset-thread"),
]
