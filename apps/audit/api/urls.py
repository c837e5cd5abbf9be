from django.urls import path

from apps.audit.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/audit/", views.AuditListApi.as_view(), name="audit-list"),
]
