"""The Members page (everyone sees who is in the project; owners invite, change roles, remove and
withdraw invitations) and the invitation page a person lands on from the email. Every change goes
through the services REST uses (apps.projects.services, apps.projects.invitations), so the
last-owner rule, the audit log and the invitation rules are the same here."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.exceptions import ApplicationError, NotAllowed, NotFound
from apps.core.pages import errors_into, page
from apps.projects import invitations, policy, selectors, services
from apps.projects.forms import InviteForm, RoleForm, SignUpForm
from apps.projects.models import Invitation, Role
from apps.projects.pages import project_page
from apps.projects.policy import Action


def mask_email(email: str) -> str:
    """`a•••@example.com`: enough for its owner to recognise, not enough to learn it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}•••@{domain}"


def _accept_url(request):
    return lambda token: request.build_absolute_uri(reverse("invitation", args=[token]))


@page
def members_page(request, project_id):
    project, rights = project_page(request, project_id)
    may_manage = policy.role_allows(rights.role, Action.MANAGE_MEMBERS)
    form = InviteForm(request.POST or None)
    status = 200
    if request.method == "POST":
        policy.check(request.user, project, Action.MANAGE_MEMBERS, role=rights.role)
        if form.is_valid():
            with errors_into(form):
                invitation = invitations.invitation_send(project=project, actor=request.user, accept_url=_accept_url(request), **form.cleaned_data)
                messages.success(request, f"Invitation sent to {invitation.email} as {invitation.role}. It is open until {invitation.expires_at:%Y-%m-%d %H:%M} UTC.")
                return redirect("members-page", project.pk)
        status = 400
    members = list(selectors.member_list(project=project))
    owners = sum(1 for membership in members if membership.role == Role.OWNER)
    pending = invitations.open_invitations(project).select_related("invited_by").order_by("-created_at") if may_manage else []
    return render(request, "projects/members.html", {
        "project": project, "rights": rights, "section": "settings" if rights.manage_project else "members", "settings_tab": "members", "members": members,
        "sole_owner": owners == 1, "pending": pending, "form": form, "may_manage": may_manage, "roles": Role.choices,
    }, status=status)


def _membership(request, project_id, user_id):
    """A person's membership (never a key's principal: keys are changed on the API keys page)."""
    project = policy.project_for(request.user, project_id, Action.MANAGE_MEMBERS)
    return get_object_or_404(selectors.member_list(project=project).select_related("project"), user_id=user_id)


@require_POST
@page
def member_role_change(request, project_id, user_id):
    membership = _membership(request, project_id, user_id)
    form = RoleForm(request.POST)
    name = membership.user.get_username()
    if not form.is_valid():
        messages.error(request, f"Role must be one of {', '.join(Role.values)}; {name} keeps {membership.role}.")
    elif form.cleaned_data["role"] == membership.role:
        messages.info(request, f"{name} is {membership.role} already.")
    else:
        try:
            services.member_update(membership=membership, role=form.cleaned_data["role"], actor=request.user)
        except (NotAllowed, NotFound):
            raise
        except ApplicationError as refusal:
            messages.error(request, f"{name} stays {membership.role}: {refusal.message}")
        else:
            messages.success(request, f"{name} is now {form.cleaned_data['role']}.")
    return redirect("members-page", project_id)


@require_POST
@page
def member_remove(request, project_id, user_id):
    membership = _membership(request, project_id, user_id)
    name = membership.user.get_username()
    try:
        services.member_remove(membership=membership, actor=request.user)
    except (NotAllowed, NotFound):
        raise
    except ApplicationError as refusal:
        messages.error(request, f"{name} stays a member: {refusal.message}")
        return redirect("members-page", project_id)
    if membership.user_id == request.user.pk:
        messages.success(request, f"You left {membership.project.name}.")
        return redirect("projects")
    messages.success(request, f"{name} was removed from the project.")
    return redirect("members-page", project_id)


@require_POST
@page
def invitation_withdraw(request, invitation_id):
    invitation = policy.object_for(request.user, Invitation.objects.all(), invitation_id, Action.MANAGE_MEMBERS)
    invitations.invitation_withdraw(invitation=invitation, actor=request.user)
    messages.success(request, f"The invitation to {invitation.email} was withdrawn; its link no longer works.")
    return redirect("members-page", invitation.project_id)


def invitation(request, token):
    """The link in an invitation email: the project, the role and who invited; then log in or make
    an account with that address, and accept. The token is the credential, so this page is open to
    visitors who are not signed in; an unknown, used or expired token shows the same refusal."""
    try:
        pending = invitations.invitation_for(token)
    except NotFound as refusal:
        return render(request, "refused.html", {"title": "Invitation not found", "message": refusal.message}, status=404)
    user = request.user
    context = {"invitation": pending, "masked": mask_email(pending.email), "signup": None}
    if user.is_authenticated:
        context["wrong_account"] = not user.email or user.email.strip().lower() != pending.email
        if request.method == "POST" and not context["wrong_account"]:
            try:
                membership = invitations.invitation_accept(token=token, user=user)
            except ApplicationError as refusal:
                return render(request, "refused.html", {"title": "Not done", "message": refusal.message}, status=refusal.status_code)
            messages.success(request, f"You joined {membership.project.name} as {membership.role}.")
            return redirect("project-home", membership.project_id)
        return render(request, "projects/invitation.html", context, status=403 if request.method == "POST" else 200)
    signup = SignUpForm(request.POST or None, email=pending.email)
    if request.method == "POST" and signup.is_valid():
        user = signup.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        membership = invitations.invitation_accept(token=token, user=user)
        messages.success(request, f"Welcome, {user.get_username()}: you joined {membership.project.name} as {membership.role}.")
        return redirect("project-home", membership.project_id)
    context["signup"] = signup
    context["login_url"] = f"{reverse('login')}?next={reverse('invitation', args=[token])}"
    return render(request, "projects/invitation.html", context, status=400 if request.method == "POST" else 200)
