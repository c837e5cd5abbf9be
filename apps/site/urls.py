"""The composing pages' URLs, under the names they always had."""

from django.urls import path

from apps.site import brand_kit

urlpatterns = [
    path("projects/<uuid:project_id>/brand-kit/", brand_kit.brand_kit_page, name="brand-kit-page"),
]
