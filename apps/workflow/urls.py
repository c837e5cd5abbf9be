from django.urls import path

from apps.workflow import views

urlpatterns = [
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.bell, name="notification-bell"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    path("notifications/read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("notifications/<uuid:notification_id>/", views.notification_open, name="notification-open"),
    path("notifications/<uuid:notification_id>/read/", views.notification_read, name="notification-read"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="notification-unsubscribe"),
    path("projects/<uuid:project_id>/assignments/", views.assignment_list, name="assignments"),
    path("projects/<uuid:project_id>/assign/", views.assign, name="assign"),
    path("assignments/<uuid:assignment_id>/delete/", views.assignment_remove, name="assignment-delete"),
]
