from django.urls import path

from apps.rights.api import views

urlpatterns = [
    path("reference-images/<uuid:image_id>/rights/", views.ReferenceImageRightsApi.as_view(), name="reference-image-rights"),
    path("assets/<uuid:asset_id>/rights/", views.AssetRightsApi.as_view(), name="asset-rights"),
    path("assets/<uuid:asset_id>/rights/override/", views.OverrideApi.as_view(), name="asset-rights-override"),
    path("rights/<uuid:right_id>/", views.RightDetailApi.as_view(), name="right-detail"),
    path("rights/<uuid:right_id>/document/", views.RightDocumentApi.as_view(), name="right-document"),
    path("projects/<uuid:project_id>/rights/expiring/", views.ExpiringApi.as_view(), name="rights-expiring"),
    path("projects/<uuid:project_id>/rights-policy/", views.PolicyApi.as_view(), name="rights-policy"),
]
