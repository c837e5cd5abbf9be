from django.urls import path

from apps.checks import views

urlpatterns = [
    path("projects/<uuid:project_id>/brand-kit/", views.brand_kit_page, name="brand-kit-page"),
]
