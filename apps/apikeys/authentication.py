"""DRF credentials: personal tokens (`Token ...`) that end when the password changes, and project
API keys (`Bearer bip_...`) that act as their own principal with one role in one project.

DRF imports these classes while it loads its settings, before apps are ready: models and services
are imported inside the methods."""

from rest_framework import authentication, exceptions


class PersonalTokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        from apps.apikeys import services

        token = self.get_model().objects.select_related("user", "password_stamp").filter(key=key).first()
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        if not services.personal_token_valid(token=token):
            token.delete()
            raise exceptions.AuthenticationFailed("Your password changed after this token was issued; request a new one at /api/v1/auth/token/.")
        return token.user, token


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        from apps.apikeys import services
        from apps.apikeys.models import ApiKey

        parts = authentication.get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the key as `Authorization: Bearer <key>`, with no spaces in the key.")
        try:
            raw_key = parts[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("An API key contains only ASCII characters.")
        api_key = ApiKey.objects.select_related("principal").filter(key_hash=services.key_hash(raw_key)).first()
        if api_key is None:
            raise exceptions.AuthenticationFailed("Unknown API key.")
        refusal = services.api_key_refusal(api_key)
        if refusal:
            raise exceptions.AuthenticationFailed(refusal)
        services.api_key_touch(api_key=api_key)
        return api_key.principal, api_key

    def authenticate_header(self, request):
        return self.keyword
