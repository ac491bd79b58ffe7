"""The schema tells the truth about what the API returns: nullable fields, paginated clusters."""

import pytest
from drf_spectacular.generators import SchemaGenerator


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def props(schema, component):
    return schema["components"]["schemas"][component]["properties"]


@pytest.mark.parametrize(("component", "field"), [
    ("Demand", "project"), ("History", "actor"), ("Project", "manager"), ("Project", "actual_start"),
    ("Project", "actual_end"), ("Project", "system"),
])
def test_fields_returned_as_null_are_nullable(schema, component, field):
    assert props(schema, component)[field].get("nullable") is True


def test_clusters_are_documented_as_the_paginated_object_they_are(schema):
    op = schema["paths"]["/api/v1/redundancy/clusters/"]["get"]
    ref = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"count", "next", "previous", "results"} <= set(props(schema, ref))
