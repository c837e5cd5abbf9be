from django.urls import path

from apps.guests.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/review-links/", views.ReviewLinkListApi.as_view(), name="review-link-list"),
    path("review-links/<uuid:link_id>/", views.ReviewLinkDetailApi.as_view(), name="review-link-detail"),
]
