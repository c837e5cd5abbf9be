from django.urls import path

from apps.audit import views

urlpatterns = [
    path("projects/<uuid:project_id>/audit/", views.audit_log, name="audit-log"),
]
