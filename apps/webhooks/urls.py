from django.urls import path

from apps.webhooks import views

urlpatterns = [
    path("projects/<uuid:project_id>/settings/webhooks/", views.webhooks_page, name="webhooks-page"),
    path("webhooks/<uuid:endpoint_id>/test/", views.webhook_test, name="webhook-test-page"),
    path("webhooks/<uuid:endpoint_id>/rotate/", views.webhook_rotate, name="webhook-rotate-page"),
    path("webhooks/<uuid:endpoint_id>/delete/", views.webhook_delete, name="webhook-delete-page"),
]
