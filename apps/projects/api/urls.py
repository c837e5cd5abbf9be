from django.urls import path

from apps.projects.api import audit_views, views

urlpatterns = [
    path("projects/", views.ProjectListApi.as_view(), name="project-list"),
    path("projects/<uuid:project_id>/", views.ProjectDetailApi.as_view(), name="project-detail"),
    path("projects/<uuid:project_id>/members/", views.MemberListApi.as_view(), name="member-list"),
    path("projects/<uuid:project_id>/members/<int:user_id>/", views.MemberDetailApi.as_view(), name="member-detail"),
    path("projects/<uuid:project_id>/invitations/", views.InvitationListApi.as_view(), name="invitation-list"),
    path("invitations/<uuid:invitation_id>/", views.InvitationDetailApi.as_view(), name="invitation-detail"),
    path("invitations/accept/", views.InvitationAcceptApi.as_view(), name="invitation-accept"),
    path("projects/<uuid:project_id>/audit/", audit_views.AuditListApi.as_view(), name="audit-list"),
]
