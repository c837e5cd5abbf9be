from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.api.views import asset_for
from apps.core.throttling import JobCreationThrottle
from apps.generations.api.views import IDEMPOTENCY_HEADER
from apps.generations.selectors import generation_queryset
from apps.projects.policy import Action
from apps.refinements import selectors, services
from apps.refinements.api.serializers import (
    RefineInputSerializer,
    RefineJobSerializer,
    ThreadSerializer,
)


class AssetRefineApi(APIView):
    throttle_classes = [JobCreationThrottle]

    @extend_schema(request=RefineInputSerializer, parameters=[IDEMPOTENCY_HEADER], responses={201: RefineJobSerializer, 200: RefineJobSerializer})
    def post(self, request, asset_id):
        """Queue the next turn of this asset's refinement thread (starting one if it has none)."""
        asset = asset_for(request, asset_id, Action.GENERATE)
        data = RefineInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = request.headers.get("Idempotency-Key", "").strip()[:200]
        turn, created = services.refinement_create(asset=asset, user=request.user, data=data.to_input(), idempotency_key=key)
        job = generation_queryset().select_related("refinement_turn").get(pk=turn.generation_id)
        return Response(RefineJobSerializer(job, context={"request": request}).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class AssetThreadApi(APIView):
    @extend_schema(responses=ThreadSerializer)
    def get(self, request, asset_id):
        """The thread from its start to this asset, and the branches that split off that path."""
        view = selectors.asset_thread(asset_for(request, asset_id))
        if view is None:
            return Response({"thread": None, "turns": [], "branches": []})
        body = {"thread": view.thread, "turns": selectors.thread_messages(view.path), "branches": view.branches}
        return Response(ThreadSerializer(body, context={"request": request}).data)
