"""Property-based API tests from the OpenAPI schema (schemathesis, in-process over WSGI).

For every operation, at least FUZZ_EXAMPLES generated requests, each sent as a member of
one role (org admin, intake, interventionist, coach, case manager, family, client, chosen
per example) must get no 5xx, a response that matches the schema where the schema
documents the status, and the declared content type. The same request without a token
must be refused. 401/403/404/429 are not declared in the schema, so undeclared status
codes are not a failure."""

import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis import checks

from continuum.tenancy.models import Role
from tests.factories import api_token

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "100"))
ROLES = [
    Role.ORG_ADMIN,
    Role.INTAKE_COORDINATOR,
    Role.INTERVENTIONIST,
    Role.SOBER_COACH,
    Role.CASE_MANAGER,
    Role.FAMILY_MEMBER,
    Role.CLIENT,
]
CHECKS = [
    checks.not_a_server_error,
    checks.response_schema_conformance,
    checks.content_type_conformance,
]
# The token endpoint is the one public operation.
PUBLIC = {("POST", "/api/v1/auth/token/")}
ANONYMOUS_CHECKS: dict[tuple[str, str], int] = {}

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


@pytest.fixture
def wsgi_in_test_transaction():
    # The WSGI handler would close the test's connection (and its transaction) at the
    # end of each request; Django's own test client switches this off the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(members):
    return {role: api_token(members[role]) for role in ROLES}


@schema.parametrize()
@schema.given(role=st.sampled_from(ROLES))
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_operation_as_every_role(case, role, org, tokens, wsgi_in_test_transaction):
    if "org" in case.path_parameters:
        case.path_parameters["org"] = org.slug
    case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"}, checks=CHECKS)
    operation = (case.method.upper(), case.operation.path)
    try:
        resolve(case.formatted_path)
    except Resolver404:
        return  # a path Django does not route (a malformed id) is a 404 for everyone
    # The anonymous twin of the first few requests of each operation is enough to prove
    # the token is required, at half the cost of repeating it for every example.
    if operation not in PUBLIC and ANONYMOUS_CHECKS.setdefault(operation, 0) < 10:
        ANONYMOUS_CHECKS[operation] += 1
        anonymous = case.call()
        assert anonymous.status_code == 401, (
            f"{case.method} {case.formatted_path} answered {anonymous.status_code} without a token"
        )
