from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied

from apps.accounts.oidc import login_context


class LoginView(auth_views.LoginView):
    """The password form and, when single sign-on is configured, its button. Under SSO_ONLY the
    form is gone and a posted password is refused (superusers keep /admin/login/ as break glass)."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **login_context()}

    def post(self, request, *args, **kwargs):
        if login_context()["sso_only"]:
            raise PermissionDenied("Passwords are off here: sign in with your company account.")
        return super().post(request, *args, **kwargs)
