from django.urls import path

from apps.guests import views

urlpatterns = [
    path("projects/<uuid:project_id>/review-links/", views.review_links, name="review-links"),
    path("review-links/<uuid:link_id>/revoke/", views.review_link_revoke, name="review-link-revoke"),
    path("r/<str:token>/", views.guest_review, name="guest-review"),
    path("r/<str:token>/assets/<uuid:asset_id>/", views.guest_asset, name="guest-asset"),
    path("r/<str:token>/assets/<uuid:asset_id>/image/", views.guest_image, name="guest-image"),
    path("r/<str:token>/assets/<uuid:asset_id>/download/", views.guest_download, name="guest-download"),
]
