from django.urls import path

from apps.projects import audit_views, member_views, views

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("invitations/<str:token>/", member_views.invitation, name="invitation"),
    path("projects/<uuid:project_id>/members/", member_views.members_page, name="members-page"),
    path("projects/<uuid:project_id>/members/<int:user_id>/role/", member_views.member_role_change, name="member-role-page"),
    path("projects/<uuid:project_id>/members/<int:user_id>/remove/", member_views.member_remove, name="member-remove-page"),
    path("invitations/<uuid:invitation_id>/withdraw/", member_views.invitation_withdraw, name="invitation-withdraw-page"),
    path("projects/<uuid:project_id>/audit/", audit_views.audit_log, name="audit-log"),
]
