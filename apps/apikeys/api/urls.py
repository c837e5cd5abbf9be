from django.urls import path

from apps.apikeys.api import views

urlpatterns = [
    path("auth/token/", views.TokenObtainApi.as_view(), name="auth-token"),
    path("projects/<uuid:project_id>/api-keys/", views.ApiKeyListApi.as_view(), name="api-key-list"),
    path("api-keys/<uuid:key_id>/", views.ApiKeyDetailApi.as_view(), name="api-key-detail"),
]
