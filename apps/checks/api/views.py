from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.selectors import asset_queryset
from apps.checks import kit as kit_rules
from apps.checks import selectors, services
from apps.checks.api.serializers import AssetCheckOutputSerializer, BrandKitInputSerializer, BrandKitOutputSerializer, RecheckOutputSerializer
from apps.checks.models import AssetCheck
from apps.core.exceptions import ValidationFailed
from apps.projects import policy
from apps.projects.policy import Action


class BrandKitApi(APIView):
    """Members read the kit; owners change it (every change is in the audit log and bumps `version`)."""

    @extend_schema(responses=BrandKitOutputSerializer)
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        return Response(BrandKitOutputSerializer(selectors.kit_for(project)).data)

    @extend_schema(request=BrandKitInputSerializer, responses=BrandKitOutputSerializer)
    def patch(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        if not hasattr(request.data, "items"):
            raise ValidationFailed("The body must be a JSON object of brand kit fields.")
        kit = services.kit_update(project=project, actor=request.user, **kit_rules.validate(dict(request.data)))
        return Response(BrandKitOutputSerializer(kit).data)


class BrandKitRecheckApi(APIView):
    @extend_schema(request=None, responses={202: RecheckOutputSerializer})
    def post(self, request, project_id):
        """Re-runs the checks of every asset of the project; the kit's `recheck` shows the progress."""
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        return Response(services.recheck_start(project=project), status=status.HTTP_202_ACCEPTED)


class AssetChecksApi(APIView):
    @extend_schema(responses=AssetCheckOutputSerializer)
    def get(self, request, asset_id):
        """Every check's outcome, message, figures and boxes; `status` null if never checked."""
        asset = policy.object_for(request.user, asset_queryset(), asset_id)
        check = selectors.check_for(asset) or AssetCheck(asset=asset, status=None)
        return Response(AssetCheckOutputSerializer(check).data)
