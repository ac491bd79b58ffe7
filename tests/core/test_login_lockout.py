"""Five wrong passwords lock one account from one address on every door, with one message."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

MESSAGE = "登录失败次数过多"
WRONG = "not-the-password"


def token(client, username, password):
    return client.post("/api/v1/auth/token/", {"username": username, "password": password},
                       content_type="application/json", HTTP_ACCEPT_LANGUAGE="zh-hans")


def page_login(client, url, username, password):
    return client.post(url, {"username": username, "password": password}, HTTP_ACCEPT_LANGUAGE="zh-hans")


@pytest.fixture
def password():
    from tests.conftest import DEMO_PASSWORD

    return DEMO_PASSWORD


def test_token_endpoint_locks_after_five_failures_and_the_right_password_is_refused(client, users, password):
    for _ in range(5):
        assert token(client, "sub_changchun", WRONG).status_code == 400
    locked = token(client, "sub_changchun", password)
    assert locked.status_code == 429
    assert MESSAGE in locked.json()["detail"]
    assert token(client, "sub_jilin", password).status_code == 200  # another account is not affected


@pytest.mark.parametrize("url_name", ["login", "admin:login"])
def test_login_pages_lock_with_the_same_message(client, users, password, url_name):
    url = reverse(url_name)
    username = "admin" if url_name == "admin:login" else "sub_changchun"
    for _ in range(5):
        page_login(client, url, username, WRONG)
    locked = page_login(client, url, username, password)
    assert locked.status_code == 429
    assert MESSAGE in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lock_on_the_token_endpoint_also_holds_on_the_login_page(client, users, password):
    for _ in range(5):
        token(client, "sub_changchun", WRONG)
    assert page_login(client, reverse("login"), "sub_changchun", password).status_code == 429


def test_a_success_before_the_limit_resets_the_count(client, users, password):
    for _ in range(4):
        token(client, "sub_changchun", WRONG)
    assert token(client, "sub_changchun", password).status_code == 200
    for _ in range(4):
        token(client, "sub_changchun", WRONG)
    assert token(client, "sub_changchun", password).status_code == 200


def test_the_token_endpoint_is_throttled_per_address(client, users, password, settings):
    from django.core.cache import cache

    cache.clear()
    answers = [token(client, f"nobody{i}", WRONG).status_code for i in range(31)]
    assert answers[:30] == [400] * 30 and answers[30] == 429
