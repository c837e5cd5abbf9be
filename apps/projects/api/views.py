from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.projects import invitations, policy, selectors, services
from apps.projects.api.serializers import (
    InvitationAcceptSerializer,
    InvitationInputSerializer,
    InvitationOutputSerializer,
    MemberOutputSerializer,
    MemberUpdateSerializer,
    PendingInvitationSerializer,
    ProjectInputSerializer,
    ProjectOutputSerializer,
)
from apps.projects.models import Invitation
from apps.projects.policy import Action


class ProjectListApi(APIView):
    @extend_schema(responses=ProjectOutputSerializer(many=True))
    def get(self, request):
        projects = selectors.project_list(user=request.user)
        return Response(ProjectOutputSerializer(projects, many=True).data)

    @extend_schema(request=ProjectInputSerializer, responses={201: ProjectOutputSerializer})
    def post(self, request):
        data = ProjectInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        project = services.project_create(user=request.user, **data.validated_data)
        return Response(ProjectOutputSerializer(project, context={"role": "owner"}).data, status=status.HTTP_201_CREATED)


class ProjectDetailApi(APIView):
    @extend_schema(responses=ProjectOutputSerializer)
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        return Response(ProjectOutputSerializer(project, context={"role": policy.role_of(request.user, project)}).data)

    @extend_schema(request=ProjectInputSerializer, responses=ProjectOutputSerializer)
    def patch(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        data = ProjectInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        project = services.project_update(project=project, actor=request.user, **data.validated_data)
        return Response(ProjectOutputSerializer(project, context={"role": "owner"}).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_PROJECT)
        services.project_delete(project=project)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemberListApi(APIView):
    @extend_schema(responses=MemberOutputSerializer(many=True))
    def get(self, request, project_id):
        project = policy.project_for(request.user, project_id)
        return Response(MemberOutputSerializer(selectors.member_list(project=project), many=True).data)

    @extend_schema(request=InvitationInputSerializer, responses={202: InvitationOutputSerializer})
    def post(self, request, project_id):
        """Invite by email. The answer is the same whether or not an account has that address (or
        is a member already): an email goes out either way and membership starts on acceptance."""
        project = policy.project_for(request.user, project_id, Action.MANAGE_MEMBERS)
        data = InvitationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = invitations.invitation_send(
            project=project, actor=request.user, **data.validated_data,
            accept_url=lambda token: request.build_absolute_uri(reverse("invitation", args=[token])),
        )
        return Response(InvitationOutputSerializer(invitation).data, status=status.HTTP_202_ACCEPTED)


class MemberDetailApi(APIView):
    def _membership(self, request, project_id, user_id):
        project = policy.project_for(request.user, project_id, Action.MANAGE_MEMBERS)
        return get_object_or_404(selectors.member_list(project=project).select_related("project"), user_id=user_id)

    @extend_schema(request=MemberUpdateSerializer, responses=MemberOutputSerializer)
    def patch(self, request, project_id, user_id):
        membership = self._membership(request, project_id, user_id)
        data = MemberUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = services.member_update(membership=membership, actor=request.user, **data.validated_data)
        return Response(MemberOutputSerializer(membership).data)

    @extend_schema(responses={204: None})
    def delete(self, request, project_id, user_id):
        services.member_remove(membership=self._membership(request, project_id, user_id), actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationListApi(APIView):
    @extend_schema(responses=PendingInvitationSerializer(many=True))
    def get(self, request, project_id):
        """Open invitations (not accepted, withdrawn or expired), newest first: for the owners."""
        project = policy.project_for(request.user, project_id, Action.MANAGE_MEMBERS)
        pending = invitations.open_invitations(project).select_related("invited_by").order_by("-created_at", "-id")
        return Response(PendingInvitationSerializer(pending, many=True).data)


class InvitationDetailApi(APIView):
    @extend_schema(responses={204: None})
    def delete(self, request, invitation_id):
        """Withdraw: the link stops working at once (an accepted or closed one stays as it is)."""
        invitation = policy.object_for(request.user, Invitation.objects.all(), invitation_id, Action.MANAGE_MEMBERS)
        invitations.invitation_withdraw(invitation=invitation, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(APIView):
    @extend_schema(request=InvitationAcceptSerializer, responses={201: MemberOutputSerializer})
    def post(self, request):
        """Join the project of an invitation addressed to the signed-in user's email."""
        data = InvitationAcceptSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        membership = invitations.invitation_accept(token=data.validated_data["token"], user=request.user)
        return Response(MemberOutputSerializer(membership).data, status=status.HTTP_201_CREATED)
