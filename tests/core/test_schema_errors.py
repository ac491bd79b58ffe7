"""The OpenAPI schema tells the truth about nulls and errors."""

import pytest
from drf_spectacular.generators import SchemaGenerator

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def test_every_operation_documents_its_error_responses(schema):
    missing = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            wanted = {"401", "403"} | ({"404"} if "{" in path else set()) | ({"400", "409"} if method != "get" else set())
            if not wanted <= set(op["responses"]):
                missing.append(f"{method.upper()} {path}")
    assert missing == []
    assert schema["paths"]["/api/v1/systems/{id}/"]["patch"]["responses"]["409"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Error"}


@pytest.mark.parametrize("component, field", [("System", "assessment_due"), ("System", "project"), ("Hardware", "system_code"),
                                               ("Organization", "city")])
def test_fields_returned_as_null_are_nullable(schema, component, field):
    assert schema["components"]["schemas"][component]["properties"][field].get("nullable") is True
