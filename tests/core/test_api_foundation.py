"""Token auth, the caller, the organization tree and the capability taxonomy over the API."""

import pytest

pytestmark = pytest.mark.django_db

from tests.conftest import DEMO_PASSWORD  # noqa: E402


def test_token_for_right_password(api, users):
    r = api.post("/api/v1/auth/token/", {"username": "sub_yanji", "password": DEMO_PASSWORD}, format="json")
    assert r.status_code == 200
    assert set(r.json()) == {"token"}
    api.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
    me = api.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "sub_yanji"
    assert me.json()["role"] == "submitter"
    assert me.json()["org"] == users["sub_yanji"].organization_id


@pytest.mark.parametrize("username,password", [("sub_yanji", "wrong-password"), ("no_such_user", DEMO_PASSWORD)])
def test_wrong_password_or_unknown_user_gets_one_clear_message(api, users, username, password):
    r = api.post("/api/v1/auth/token/", {"username": username, "password": password}, format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert r.status_code == 400
    assert r.json() == {"non_field_errors": ["无法使用提供的认证信息登录。"]}


def test_missing_fields_named(api, users):
    r = api.post("/api/v1/auth/token/", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 400
    assert set(r.json()) == {"username", "password"}


def test_missing_token_is_401_with_message(api, users):
    r = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 401
    assert r.json() == {"detail": "Authentication credentials were not provided."}


def test_bad_token_is_401(api, users):
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    r = api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 401
    assert r.json() == {"detail": "Invalid token."}


def test_session_auth_works_for_the_api(client, users):
    client.force_login(users["auditor"])
    assert client.get("/api/v1/me/").json()["role"] == "auditor"


def test_organizations_are_paginated_with_the_contract_shape(api, users, django_assert_num_queries):
    api.as_user(users["sub_changchun"])
    with django_assert_num_queries(3):  # token, count, page (region joined)
        r = api.get("/api/v1/organizations/")
    body = r.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 613
    first = body["results"][0]
    assert {"id", "name", "level", "parent", "region"} <= set(first)
    assert first["name"] == "吉林省政务服务和数字化建设管理局"
    assert first["level"] == "province"
    assert first["region"] == "吉林省"


def test_organizations_filter_by_level(api, users):
    api.as_user(users["sub_changchun"])
    body = api.get("/api/v1/organizations/?level=city&page_size=500").json()
    assert body["count"] == 9 * 18
    assert {o["level"] for o in body["results"]} == {"city"}


def test_capabilities_list_holds_the_contract_codes(api, users):
    api.as_user(users["sub_yanji"])
    body = api.get("/api/v1/capabilities/?page_size=100").json()
    codes = {c["code"] for c in body["results"]}
    assert {"online_service", "identity_auth", "e_license", "e_seal", "hotline", "appointment"} <= codes
    assert body["count"] == 25
    auth = next(c for c in body["results"] if c["code"] == "identity_auth")
    assert auth["name"] == "统一身份认证"


def test_schema_and_docs_are_served_without_cdn(client, users):
    client.force_login(users["auditor"])
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/me/" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html
