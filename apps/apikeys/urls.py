from django.urls import path

from apps.apikeys import views

urlpatterns = [
    path("projects/<uuid:project_id>/settings/api-keys/", views.api_keys_page, name="api-keys-page"),
    path("api-keys/<uuid:key_id>/revoke/", views.api_key_revoke, name="api-key-revoke-page"),
]
