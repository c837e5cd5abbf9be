from django.urls import path

from apps.assets import views

urlpatterns = [
    path("projects/<uuid:project_id>/gallery/", views.gallery, name="gallery"),
    path("assets/<uuid:asset_id>/", views.asset_page, name="asset-page"),
    path("assets/<uuid:asset_id>/credentials/", views.credentials_panel, name="asset-credentials-panel"),
]
