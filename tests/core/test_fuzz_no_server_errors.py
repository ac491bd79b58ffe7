"""A bounded fuzz of every API operation (from the OpenAPI schema) and every list page's filters,
as three roles: malformed, out-of-range and hostile values never answer 500."""

import json

import pytest
from django.urls import reverse
from drf_spectacular.generators import SchemaGenerator

from tests.projects.factories import DemandFactory, org
from tests.projects.project_factories import ProjectFactory

ROLES = ["sub_changchun", "coord_changchun", "prov_reviewer"]
HOSTILE = ["99999999999999999999", "-1", "abc", "%00", "x" * 3000, "9999-12-31"]
BODY_VALUES = [None, "x" * 20_000, "abc", -1, 2**70, 1.5e308, [], {"a": "b"}, [2**70], "9999-12-31", "\u0000", "五十万"]
PAGES = [
    "projects:demand_list", "projects:demand_all", "projects:review_queue", "projects:project_list", "projects:portfolio",
    "projects:clusters", "assets:system_list", "assets:hardware_list", "assets:data_resource_list", "core:audit_log",
]
PAGE_PARAMS = ["status", "org", "city", "capability", "sort", "q", "search", "page", "year", "owner_org", "mine", "machine"]
PAGE_VALUES = ["99999999999999999999", "abc", "%00", "x" * 3000]


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, methods in schema["paths"].items():
        if not path.startswith("/api/v1/") or "auth/token" in path:
            continue
        for method, op in methods.items():
            yield path, method, op


def request_properties(schema, op) -> list[str]:
    content = (op.get("requestBody") or {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    if not ref:
        return []
    return list(schema["components"]["schemas"][ref.rsplit("/", 1)[1]].get("properties", {}))


@pytest.fixture
def objects(users):
    demand = DemandFactory(org=org("220100-jyj"))
    project = ProjectFactory()
    return {"id": demand.pk, "flag_id": 1, "project": project.pk}


def fill(path: str, objects, value=None) -> str:
    for name in ("flag_id", "id"):
        path = path.replace("{" + name + "}", str(value if value is not None else objects[name]))
    return path


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_api_operation_answers_500_to_hostile_input(api, users, schema, objects, role):
    client = api.as_user(users[role])
    tried, errors = 0, []
    for path, method, op in operations(schema):
        params = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        for bad_id in ((None, "99999999999999999999", "abc") if "{" in path else (None,)):
            url = fill(path, objects, bad_id)
            if method == "get":
                for name in (params or ["page"]) if bad_id is None else ["page"]:
                    for value in HOSTILE if bad_id is None else HOSTILE[:1]:
                        tried += 1
                        r = client.get(url, {name: value.replace("%00", "\x00")})
                        if r.status_code >= 500:
                            errors.append((method, url, name, value[:20], r.status_code))
            else:
                bodies = [{}, [], "not json", {"name": "submit"}]
                if bad_id is None:
                    bodies += [{field: value} for field in request_properties(schema, op) for value in BODY_VALUES]
                deep = {"a": []}
                cur = deep["a"]
                for _ in range(200):
                    cur.append([])
                    cur = cur[0]
                bodies.append(deep)
                for body in bodies:
                    tried += 1
                    data = body if isinstance(body, str) else json.dumps(body)
                    r = getattr(client, method)(url, data, content_type="application/json")
                    if r.status_code >= 500:
                        errors.append((method, url, str(body)[:40], r.status_code))
    assert tried > 500
    assert errors == []


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_list_page_answers_500_to_hostile_filters(client, users, role):
    client.force_login(users[role])
    errors = []
    for name in PAGES:
        url = reverse(name)
        for param in PAGE_PARAMS:
            for value in PAGE_VALUES:
                r = client.get(url, {param: value.replace("%00", "\x00")})
                if r.status_code >= 500:
                    errors.append((url, param, value[:20], r.status_code))
    assert errors == []
