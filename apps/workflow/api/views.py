from django.contrib.auth import get_user_model
from django.db.models import Q
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.assets.models import Asset
from apps.core.exceptions import NotFound, ValidationFailed
from apps.projects import policy
from apps.workflow import notifications, selectors, services
from apps.workflow.api.serializers import (
    AssignmentInputSerializer,
    AssignmentOutputSerializer,
    AssignmentUpdateSerializer,
    NotificationSettingsInputSerializer,
    NotificationSettingsSerializer,
)
from apps.workflow.models import Assignment

FILTERS = [
    OpenApiParameter("assigned_to", str, description="`me`: assignments still waiting on my decision."),
    OpenApiParameter("assigned_by", str, description="`me`: assignments I made."),
    OpenApiParameter("overdue", bool, description="`true`: open assignments past their due date."),
    OpenApiParameter("completed", bool, description="`true` completed ones, `false` open ones (default: both)."),
]


def people(project, names) -> list:
    """Members named by username or user id; an unknown name is a 400 naming it."""
    found = []
    for name in names:
        query = Q(username=name) | (Q(pk=int(name)) if str(name).isascii() and str(name).isdigit() and len(str(name)) < 16 else Q(pk__in=[]))
        user = get_user_model().objects.filter(query, memberships__project=project).first()
        if user is None:
            raise ValidationFailed(f"assignees: {str(name)[:60]!r} is not a member of this project.", field="assignees")
        found.append(user)
    return found


def _me_only(value, name) -> bool:
    if value in (None, ""):
        return False
    if value != "me":
        raise ValidationFailed(f"{name} takes only `me`; got {value[:40]!r}.", field=name)
    return True


def _boolean(value, name):
    if value in (None, ""):
        return None
    if value.lower() not in ("true", "false"):
        raise ValidationFailed(f"{name} is `true` or `false`; got {value[:40]!r}.", field=name)
    return value.lower() == "true"


class AssignmentListApi(APIView):
    @extend_schema(parameters=FILTERS, responses=AssignmentOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        rows = selectors.assignments_for(project=project, user=request.user, view="every")
        if _me_only(request.query_params.get("assigned_to"), "assigned_to"):
            rows = rows.filter(my_open=True)
        if _me_only(request.query_params.get("assigned_by"), "assigned_by"):
            rows = rows.filter(created_by=request.user)
        if _boolean(request.query_params.get("overdue"), "overdue"):
            from django.utils import timezone

            rows = rows.filter(completed_at__isnull=True, due_at__lt=timezone.now())
        completed = _boolean(request.query_params.get("completed"), "completed")
        if completed is not None:
            rows = rows.filter(completed_at__isnull=not completed)
        rows = rows.prefetch_related("items")[:200]
        return Response(AssignmentOutputSerializer(rows, many=True).data)

    @extend_schema(request=AssignmentInputSerializer, responses={201: AssignmentOutputSerializer})
    def post(self, request, project_id):
        project = policy.project_for(request.user, project_id, policy.Action.ASSIGN)
        data = AssignmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        campaign = assets = None
        if "campaign" in values:
            from apps.campaigns.models import Campaign

            campaign = Campaign.objects.filter(pk=values["campaign"], project=project).first()
            if campaign is None:
                raise ValidationFailed("campaign: no such campaign in this project.", field="campaign")
            if not values.get("stage"):
                raise ValidationFailed("stage is required with campaign: drafts, localise or finalise.", field="stage")
        if "assets" in values:
            assets = list(Asset.objects.filter(project=project, pk__in=values["assets"]))
            missing = set(values["assets"]) - {asset.pk for asset in assets}
            if missing:
                raise ValidationFailed(f"assets: {len(missing)} of these are not assets of this project, e.g. {sorted(map(str, missing))[0]}.", field="assets")
        assignment = services.assignment_create(
            user=request.user, project=project, assignees=people(project, values["assignees"]), assets=assets, campaign=campaign,
            stage=values.get("stage", ""), due_at=values["due_at"], note=values["note"],
        )
        return Response(AssignmentOutputSerializer(assignment).data, status=status.HTTP_201_CREATED)


def _assignment(request, assignment_id, action=policy.Action.VIEW) -> Assignment:
    return policy.object_for(request.user, Assignment.objects.all(), assignment_id, action)


class AssignmentApi(APIView):
    @extend_schema(responses=AssignmentOutputSerializer)
    def get(self, request, assignment_id):
        return Response(AssignmentOutputSerializer(_assignment(request, assignment_id)).data)

    @extend_schema(request=AssignmentUpdateSerializer, responses=AssignmentOutputSerializer)
    def patch(self, request, assignment_id):
        assignment = _assignment(request, assignment_id, policy.Action.ASSIGN)
        data = AssignmentUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        assignment = services.assignment_update(
            user=request.user, assignment=assignment,
            assignees=people(assignment.project, values["assignees"]) if "assignees" in values else None,
            due_at=values["due_at"] if "due_at" in values else ..., note=values.get("note"),
        )
        return Response(AssignmentOutputSerializer(assignment).data)

    @extend_schema(responses={204: None})
    def delete(self, request, assignment_id):
        services.assignment_delete(user=request.user, assignment=_assignment(request, assignment_id, policy.Action.ASSIGN))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MyNotificationSettingsApi(APIView):
    """How each event type reaches me (immediately, hourly, daily, off), my time zone and digest hour."""

    @extend_schema(responses=NotificationSettingsSerializer)
    def get(self, request):
        if policy.is_key_principal(request.user):
            raise NotFound("A project API key has no notifications.", code="not_found")
        return Response(NotificationSettingsSerializer(notifications.settings_for(request.user)).data)

    @extend_schema(request=NotificationSettingsInputSerializer, responses=NotificationSettingsSerializer)
    def patch(self, request):
        if policy.is_key_principal(request.user):
            raise NotFound("A project API key has no notifications.", code="not_found")
        data = NotificationSettingsInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        row = notifications.settings_update(user=request.user, **data.validated_data)
        return Response(NotificationSettingsSerializer(row).data)
