from django.urls import path

from apps.approvals import views

urlpatterns = [
    path("projects/<uuid:project_id>/review/", views.review_queue, name="review-queue"),
]
