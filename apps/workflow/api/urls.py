from django.urls import path

from apps.workflow.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/assignments/", views.AssignmentListApi.as_view(), name="assignment-list"),
    path("assignments/<uuid:assignment_id>/", views.AssignmentApi.as_view(), name="assignment-detail"),
    path("me/notifications/", views.MyNotificationSettingsApi.as_view(), name="my-notification-settings"),
]
