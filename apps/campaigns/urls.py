from django.urls import path

from apps.campaigns import views

urlpatterns = [
    path("projects/<uuid:project_id>/campaigns/", views.campaign_list, name="campaigns"),
    path("projects/<uuid:project_id>/campaigns/new/", views.campaign_new, name="campaign-new"),
    path("projects/<uuid:project_id>/campaigns/summary/", views.campaign_summary, name="campaign-summary"),
    path("campaigns/<uuid:campaign_id>/", views.campaign_page, name="campaign-page"),
    path("campaigns/<uuid:campaign_id>/run/", views.campaign_run, name="campaign-run-page"),
    path("campaigns/<uuid:campaign_id>/decide/", views.campaign_decide, name="campaign-decide"),
    path("campaigns/<uuid:campaign_id>/approve-passing/", views.campaign_approve_passing, name="campaign-approve-passing-page"),
    path("campaigns/<uuid:campaign_id>/cells/<uuid:cell_id>/", views.cell_page, name="campaign-cell"),
]
