"""schemathesis over the API's own OpenAPI schema, as three roles: no server error and no answer
that breaks the schema, whatever it generates (bounded: a few examples per operation, in CI too).

The schema is the one `/api/schema/` serves (drf-spectacular's generator, public view); requests go
through the WSGI application inside the test's transaction, so nothing generated outlives it.
"""

import pytest
import schemathesis
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from config.wsgi import application

ROLES = ["sub_changchun", "coord_changchun", "prov_reviewer"]
EXAMPLES = 2  # per operation; three roles each (bounded: CI runs this)

raw = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(raw)
schema.app = application
# Logging in is the login test's business (and locks the account out, by design, when fuzzed).
schema = schema.exclude(path="/api/v1/auth/token/")


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """As Django's test client does: a request's end must not close the test transaction's connection."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(users):
    from rest_framework.authtoken.models import Token

    return {role: Token.objects.get_or_create(user=users[role])[0].key for role in ROLES}


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck), derandomize=True)
def test_the_api_keeps_to_its_schema_and_never_answers_500(case, tokens):
    for role in ROLES:
        case.call_and_validate(headers={"Authorization": f"Token {tokens[role]}"},
                               checks=[not_a_server_error, response_schema_conformance])
