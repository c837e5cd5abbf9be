from django.urls import path

from apps.generations.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/generations/", views.GenerationListApi.as_view(), name="generation-list"),
    path("projects/<uuid:project_id>/generations/quote/", views.GenerationQuoteApi.as_view(), name="generation-quote"),
    path("generations/<uuid:generation_id>/", views.GenerationDetailApi.as_view(), name="generation-detail"),
    path("assets/<uuid:asset_id>/region-edit/", views.RegionEditApi.as_view(), name="region-edit"),
    path("generations/<uuid:generation_id>/cancel/", views.GenerationCancelApi.as_view(), name="generation-cancel"),
]
