from django.urls import path

from apps.site import asset_views as views

urlpatterns = [
    path("projects/<uuid:project_id>/gallery/", views.gallery, name="gallery"),
    path("projects/<uuid:project_id>/gallery/selection/", views.gallery_bulk, name="gallery-bulk"),
    path("assets/<uuid:asset_id>/", views.asset_page, name="asset-page"),
    path("assets/<uuid:asset_id>/favourite/", views.asset_favourite, name="asset-favourite"),
    path("assets/<uuid:asset_id>/pick/", views.asset_pick, name="asset-pick"),
    path("assets/<uuid:asset_id>/credentials/", views.credentials_panel, name="asset-credentials-panel"),
]
