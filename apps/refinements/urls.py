from django.urls import path

from apps.refinements import views

urlpatterns = [
    path("assets/<uuid:asset_id>/refine/", views.refine_panel, name="refine-panel"),
    path("assets/<uuid:asset_id>/refine/send/", views.refine_send, name="refine-send"),
]
