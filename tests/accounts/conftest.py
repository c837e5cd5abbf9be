import pytest

from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="session")
def oidc_provider():
    """A real OpenID Connect provider on a free loopback port (tests/oidc_provider.py)."""
    provider = Provider().start()
    yield provider
    provider.stop()


@pytest.fixture
def provider(oidc_provider, settings):
    """The provider, emptied, and the platform configured to sign in with it."""
    oidc_provider.reset()
    settings.OIDC_ISSUER = oidc_provider.issuer
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_ALLOWED_DOMAINS = ["brand.example"]
    settings.OIDC_GROUP_ROLES = []
    settings.AUTHENTICATION_BACKENDS = [*settings.AUTHENTICATION_BACKENDS, "apps.accounts.oidc.SsoBackend"]
    return oidc_provider
