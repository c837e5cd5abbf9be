"""Who may enter the admin: staff, as Django has it, and every member whose role may decide
reviews in at least one project (the project's review policy says which roles may).

Chosen over keeping `is_staff` in sync from the membership service: deciding roles are per
project and an owner may change them at any time, so a synced flag would go stale with every
policy edit or membership change, and someone would have to flip it back by hand. Asking the
review rule at each request cannot go stale. Inside, a reviewer sees only Assets and Reviews of
the projects where they may decide (apps.approvals.admin); other admin pages still need staff
permissions.
"""

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import ValidationError


def may_enter_admin(user) -> bool:
    from apps.approvals.policy import projects_user_may_review

    return bool(user.is_active and (user.is_staff or projects_user_may_review(user).exists()))


class ReviewerAdminLoginForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": "Please enter the correct username and password. The admin is for reviewers and operators.",
    }

    def confirm_login_allowed(self, user):
        if not user.is_active:
            raise ValidationError(self.error_messages["inactive"], code="inactive")
        if settings.SSO_ONLY and settings.OIDC_ISSUER and not user.is_superuser:
            # Break glass: under SSO_ONLY only superusers keep a password login, here.
            raise ValidationError("Passwords are off here: sign in with your company account on the login page, then open the admin.",
                                  code="sso_only")
        if not may_enter_admin(user):
            raise ValidationError(
                "This account may not decide reviews in any project, so the admin has nothing for it. "
                "Use the pages instead, or ask a project owner for the reviewer role.",
                code="no_review_role",
            )


class PlatformAdminSite(admin.AdminSite):
    site_header = "Brand image platform · admin"
    site_title = "Brand image platform admin"
    index_title = "Review and operate"
    login_form = ReviewerAdminLoginForm
    enable_nav_sidebar = False  # the asset list needs the width for its columns

    index_template = "admin/review_index.html"

    def has_permission(self, request):
        return may_enter_admin(request.user)

    def index(self, request, extra_context=None):
        """Home leads with what waits for this person's review, per project (issue 28 item 15)."""
        from apps.approvals.selectors import waiting_for

        waiting = waiting_for(request.user)
        return super().index(request, {**(extra_context or {}), "waiting": waiting, "waiting_total": sum(n for _, n in waiting)})
