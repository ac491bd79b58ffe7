"""The web shell: login, navigation by role, both languages."""

import re

import pytest
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_chinese_by_default(client):
    r = client.get(reverse("login"))
    assert r.status_code == 200
    html = r.content.decode()
    assert '<html lang="zh-CN">' in html
    assert "登录" in html


def test_login_page_renders_in_english_when_chosen(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = client.get(reverse("login")).content.decode()
    assert '<html lang="en">' in html
    assert "Log in" in html
    assert "登录" not in html


def test_demo_user_logs_in_and_sees_home(client, users):
    r = client.post(reverse("login"), {"username": "sub_changchun", "password": DEMO_PASSWORD}, follow=True)
    assert r.status_code == 200
    assert r.context["user"].username == "sub_changchun"
    assert "刘科长" in r.content.decode()


def test_wrong_password_shows_one_clear_message_without_trace(client, users):
    r = client.post(reverse("login"), {"username": "sub_changchun", "password": "nope-nope"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "请输入一个正确的" in html  # Django's own zh-hans message for a failed login
    assert "Traceback" not in html


def test_pages_need_login(client):
    r = client.get(reverse("home"))
    assert r.status_code == 302
    assert r.url.startswith(reverse("login"))


def test_static_assets_are_local(client, users):
    client.force_login(users["sub_changchun"])
    html = client.get(reverse("home")).content.decode()
    for src in re.findall(r'(?:src|href)="([^"]+\.(?:js|css))"', html):
        assert src.startswith("/static/"), src


def test_navigation_follows_role(client, users):
    client.force_login(users["auditor"])
    assert reverse("core:audit_log") in client.get(reverse("home")).content.decode()
    client.force_login(users["sub_changchun"])
    assert reverse("core:audit_log") not in client.get(reverse("home")).content.decode()


def test_audit_log_page_is_for_auditors_only(client, users):
    client.force_login(users["sub_changchun"])
    assert client.get(reverse("core:audit_log")).status_code == 403
    client.force_login(users["auditor"])
    assert client.get(reverse("core:audit_log")).status_code == 200


def test_audit_log_admin_offers_no_change(client, users):
    client.force_login(users["admin"])
    r = client.get("/admin/core/auditlog/add/")
    assert r.status_code == 403
