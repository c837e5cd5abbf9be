from django.http import Http404
from django.utils.text import slugify
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.approvals.api.serializers import ApprovePassingOutputSerializer
from apps.campaigns import selectors, services
from apps.campaigns.api.serializers import (
    CampaignDetailSerializer,
    CampaignInputSerializer,
    CampaignOutputSerializer,
    ChooseInputSerializer,
    ExportFilterSerializer,
    RunInputSerializer,
    RunOutputSerializer,
    StageInputSerializer,
)
from apps.assets.exports import signing_ready
from apps.assets.api.serializers import ExportScopeSerializer
from apps.campaigns.exports import campaign_export_entries
from apps.rights.services import use_scope
from apps.campaigns.models import Cell
from apps.core.downloads import zip_response
from apps.core.pagination import NewestFirstCursorPagination, paginated_response
from apps.projects import policy
from apps.projects.policy import Action


def campaign_for(request, campaign_id, action=Action.VIEW):
    return policy.object_for(request.user, selectors.campaign_queryset(), campaign_id, action)


def detail_response(request, campaign, status_code=status.HTTP_200_OK) -> Response:
    states = selectors.campaign_state(campaign)
    context = {
        "request": request, "states": states, "counts": selectors.stage_counts(states),
        "sizes": selectors.campaign_stage_sizes(campaign, cells=len(states)), "spent": selectors.campaign_spent(campaign),
    }
    return Response(CampaignDetailSerializer(campaign, context=context).data, status=status_code)


class CampaignListApi(APIView):
    pagination_class = NewestFirstCursorPagination

    @extend_schema(responses=CampaignOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        campaigns = selectors.campaign_list(project=project).prefetch_related("products", "characters")
        return paginated_response(request=request, view=self, queryset=campaigns, serializer_class=CampaignOutputSerializer)

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignDetailSerializer})
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.GENERATE)
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        campaign = services.campaign_create(project=project, user=request.user, data=data.to_input())
        return detail_response(request, selectors.campaign_queryset().get(pk=campaign.pk), status.HTTP_201_CREATED)


class CampaignDetailApi(APIView):
    @extend_schema(responses=CampaignDetailSerializer)
    def get(self, request, campaign_id):
        return detail_response(request, campaign_for(request, campaign_id))


class CampaignRunApi(APIView):
    @extend_schema(request=RunInputSerializer, responses={200: RunOutputSerializer, 201: RunOutputSerializer})
    def post(self, request, campaign_id):
        campaign = campaign_for(request, campaign_id, Action.GENERATE)
        data = RunInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.campaign_run(
            campaign=campaign, user=request.user, stage=data.validated_data["stage"], dry_run=data.validated_data["dry_run"],
            delivery=data.validated_data["delivery"],
        )
        code = status.HTTP_201_CREATED if result.jobs_created else status.HTTP_200_OK
        return Response(RunOutputSerializer(result).data, status=code)


class CampaignApprovePassingApi(APIView):
    @extend_schema(request=StageInputSerializer, responses=ApprovePassingOutputSerializer)
    def post(self, request, campaign_id):
        """"Approve all that pass" on one stage: exactly its pending outputs whose brand checks passed;
        four-eyes still applies (refused ones are listed and counted)."""
        from apps.approvals import services as review_services
        from apps.approvals.api.views import require_decider

        campaign = campaign_for(request, campaign_id)
        require_decider(request.user, campaign.project)
        data = StageInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assets = selectors.stage_approvable(selectors.campaign_state(campaign), data.validated_data["stage"])
        return Response(ApprovePassingOutputSerializer(review_services.approve_passing(user=request.user, assets=assets)).data)


class CellChooseApi(APIView):
    @extend_schema(request=ChooseInputSerializer, responses=CampaignDetailSerializer)
    def post(self, request, campaign_id, cell_id):
        campaign = campaign_for(request, campaign_id)
        cell = Cell.objects.select_related("campaign__project").filter(campaign=campaign, pk=cell_id).first()
        if cell is None:
            raise Http404("No such cell in this campaign.")
        data = ChooseInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.cell_choose(user=request.user, cell=cell, asset_id=data.validated_data["asset"])
        return detail_response(request, campaign)


class CampaignExportApi(APIView):
    @extend_schema(parameters=[ExportFilterSerializer, ExportScopeSerializer], responses={(200, "application/zip"): bytes})
    def get(self, request, campaign_id):
        """A zip of the campaign's finals, `{language}/{format}/{product}-{scene number}.png`, with a
        manifest.json giving each file's campaign coordinates and the project export's provenance.
        Finals whose rights ended (or that `territory=` / `channel=` rule out) are left out and listed
        under `left_out`."""
        campaign = campaign_for(request, campaign_id, Action.EXPORT)
        filters = ExportFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        review_status = filters.validated_data["review_status"]
        from apps.placements.exports import placements_parse

        placements = placements_parse(campaign.project, filters.validated_data["placements"], campaign_keys=campaign.placements)
        scope = use_scope(territory=request.query_params.get("territory", ""), channel=request.query_params.get("channel", ""))
        signing_ready()
        entries = campaign_export_entries(
            campaign=campaign, review_status=None if review_status == "all" else review_status, placements=placements, **scope,
        )
        return zip_response(entries, filename=f"{slugify(campaign.name) or 'campaign'}-{review_status}.zip")
