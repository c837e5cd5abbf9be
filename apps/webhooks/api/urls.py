from django.urls import path

from apps.webhooks.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/webhooks/", views.EndpointListApi.as_view(), name="webhook-list"),
    path("webhooks/<uuid:endpoint_id>/", views.EndpointDetailApi.as_view(), name="webhook-detail"),
    path("webhooks/<uuid:endpoint_id>/rotate-secret/", views.SecretRotateApi.as_view(), name="webhook-rotate-secret"),
    path("webhooks/<uuid:endpoint_id>/deliveries/", views.DeliveryListApi.as_view(), name="webhook-deliveries"),
]
