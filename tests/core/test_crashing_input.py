"""Bodies and query strings that used to answer 500 answer 400 with a message."""

import json

import pytest

pytestmark = pytest.mark.django_db


def post_json(client, url, body: str):
    return client.post(url, data=body.encode("utf-8", "surrogatepass"), content_type="application/json")


def test_json_nested_50000_deep_is_refused(api, users):
    client = api.as_user(users["sub_siping"])
    response = post_json(client, "/api/v1/systems/", "[" * 50_000 + "]" * 50_000)
    assert response.status_code == 400
    assert "detail" in response.json()


def test_json_nested_beyond_the_limit_is_refused_naming_it(api, users):
    client = api.as_user(users["sub_siping"])
    body = '{"name": "x", "extra": ' + "[" * 40 + "1" + "]" * 40 + "}"
    response = client.post("/api/v1/systems/", data=body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["detail"] == "The JSON body is nested more than 32 levels deep."


def test_a_body_over_a_megabyte_is_refused(api, users):
    client = api.as_user(users["sub_siping"])
    response = post_json(client, "/api/v1/systems/", json.dumps({"name": "x", "description": "y" * (1024 * 1024)}))
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/api/v1/systems/", "/api/v1/data-resources/", "/api/v1/hardware/"])
def test_a_lone_surrogate_is_refused_not_echoed(api, users, url):
    client = api.as_user(users["sub_siping"])
    response = post_json(client, url, '{"name": "\\ud800", "domain": "\\ud800"}')
    assert response.status_code == 400
    assert "surrogate" in response.content.decode() or response.json()["detail"]


def test_nul_in_the_audit_search_is_refused(login, users):
    response = login(users["auditor"]).get("/audit/?q=%00")
    assert response.status_code == 400


def test_nul_in_a_form_field_is_refused(login, users):
    response = login(users["sub_siping"]).post("/catalogue/systems/new/", {"name": "a\x00b"})
    assert response.status_code == 400


def test_nul_in_a_json_body_is_refused(api, users):
    response = post_json(api.as_user(users["sub_siping"]), "/api/v1/systems/", '{"name": "a\\u0000b"}')
    assert response.status_code == 400
