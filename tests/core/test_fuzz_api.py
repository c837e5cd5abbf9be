"""Schemathesis over /api/schema/ as an authenticated owner: no 5xx, every answer fits the schema.
Bounded (a few examples per operation) so it stays a quick CI stage."""

import pytest
import schemathesis
from schemathesis import checks
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token

from django.core import signals
from django.db import close_old_connections

from config.wsgi import application
from tests.factories import ProjectFactory, member, stored_asset


@pytest.fixture
def api_schema(db):
    # Like Django's test client: keep the test's connection open across in-process requests.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")
CONFORMANCE = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def owner_token(db, emulator):
    project = ProjectFactory()
    user = member(project, "owner", username="fuzzer")
    stored_asset(project, user=user)
    return Token.objects.get_or_create(user=user)[0].key


@schema.parametrize()
@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_never_errors_and_matches_its_schema(case, owner_token):
    if case.path == "/api/v1/auth/token/":
        return  # unauthenticated by design; covered in the projects tests
    response = case.call(headers={"Authorization": f"Token {owner_token}"})
    # No 5xx, and what is documented is what comes back: status, content type, headers and body.
    case.validate_response(response, checks=CONFORMANCE)
