from django.urls import path

from apps.campaigns.api import views

urlpatterns = [
    path("projects/<uuid:project_id>/campaigns/", views.CampaignListApi.as_view(), name="campaign-list"),
    path("campaigns/<uuid:campaign_id>/", views.CampaignDetailApi.as_view(), name="campaign-detail"),
    path("campaigns/<uuid:campaign_id>/run/", views.CampaignRunApi.as_view(), name="campaign-run"),
    path("campaigns/<uuid:campaign_id>/approve-passing/", views.CampaignApprovePassingApi.as_view(), name="campaign-approve-passing"),
    path("campaigns/<uuid:campaign_id>/cells/<uuid:cell_id>/choose/", views.CellChooseApi.as_view(), name="campaign-cell-choose"),
    path("campaigns/<uuid:campaign_id>/export/", views.CampaignExportApi.as_view(), name="campaign-export"),
]
