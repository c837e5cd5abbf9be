from django.urls import path

from apps.projects import views

urlpatterns = [
    path("projects/", views.project_list, name="projects"),
    path("projects/<uuid:project_id>/", views.project_home, name="project-home"),
    path("invitations/<str:token>/", views.invitation, name="invitation"),
]
