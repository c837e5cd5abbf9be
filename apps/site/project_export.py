"""The project export (REST): the project's assets with manifest.json, or their placement files,
left out where the rights do not allow it. It composes assets, rights and placements, so it sits
in the top layer."""

from django.utils.text import slugify
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.views import APIView

from apps.assets import selectors
from apps.assets.api.serializers import AssetFilterSerializer, ExportScopeSerializer
from apps.assets.exports import MAX_EXPORT_ASSETS, export_entries, signing_ready
from apps.core.downloads import zip_response
from apps.placements.exports import placements_parse, project_placement_entries
from apps.projects import policy
from apps.projects.policy import Action
from apps.rights.services import use_scope


class ProjectExportApi(APIView):
    @extend_schema(
        parameters=[AssetFilterSerializer, ExportScopeSerializer, OpenApiParameter(
            "placements", str, description="Comma-separated placement keys or `all`: each asset as those placements, "
            "at {channel}/{placement}/{asset id}.{ext}, with size, bytes, format and safe zones in manifest.json.",
        )],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="A zip archive with manifest.json.")},
    )
    def get(self, request, project_id):
        """A zip of the project's assets with manifest.json (hashes, prompts, models, settings,
        references, parents, review decisions), streamed as it is written. Filters as the asset
        list; review_status defaults to approved. `territory` (ISO 3166 code) and `channel` leave out
        what the rights do not allow there; expired assets are always left out. Both are listed in
        manifest.json under `left_out`. Roles: see policy.Action.EXPORT."""
        project = policy.project_for(request.user, project_id, Action.EXPORT)
        query = request.query_params.dict()
        scope = use_scope(territory=query.pop("territory", ""), channel=query.pop("channel", ""))
        filters = AssetFilterSerializer(data={"review_status": "approved", **query})
        filters.is_valid(raise_exception=True)
        filename = f"{slugify(project.name) or 'project'}-{filters.validated_data.get('review_status', 'all')}.zip"
        if request.query_params.get("placements"):
            # Placement files instead of the originals (apps.placements.exports).
            placements = placements_parse(project, request.query_params["placements"])
            signing_ready()
            assets = selectors.asset_list(project=project, **filters.validated_data).order_by("created_at", "id")[:MAX_EXPORT_ASSETS]
            entries = project_placement_entries(project=project, assets=assets, placements=placements, filters=filters.validated_data)
            return zip_response(entries, filename=filename.replace(".zip", "-placements.zip"))
        signing_ready()
        return zip_response(export_entries(project=project, filters=filters.validated_data, **scope), filename=filename)
