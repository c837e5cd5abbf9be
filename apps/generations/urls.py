from django.urls import path

from apps.generations import views

urlpatterns = [
    path("projects/<uuid:project_id>/generate/", views.generate, name="generate"),
    path("jobs/<uuid:generation_id>/", views.generation_page, name="generation-page"),
    path("jobs/<uuid:generation_id>/cancel/", views.generation_cancel, name="job-cancel"),
    path("assets/<uuid:asset_id>/derive/", views.derive, name="derive"),
]
