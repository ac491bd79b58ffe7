"""Refused and missing pages answer with the site's own 403, 404 and 500 pages, in both languages."""

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

ZH, EN = "zh-CN,zh;q=0.9", "en-US,en;q=0.9"


@pytest.mark.parametrize("accept,texts", [
    (ZH, ["无权访问", "数字化建设需求", "返回首页", '<html lang="zh-CN">']),
    (EN, ["Not allowed", "Digital construction demands", "Back to the start page", '<html lang="en">']),
])
def test_audit_log_refuses_a_submitter_with_the_sites_403_page(client, users, accept, texts):
    client.force_login(users["sub_changchun"])
    response = client.get(reverse("core:audit_log"), HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 403
    html = response.content.decode()
    assert 'data-testid="error-page"' in html and 'id="mainnav"' in html
    for text in texts:
        assert text in html


@pytest.mark.parametrize("accept,texts", [
    (ZH, ["页面不存在", "返回首页"]),
    (EN, ["Page not found", "Back to the start page"]),
])
def test_unknown_address_answers_the_sites_404_page(client, users, accept, texts):
    client.force_login(users["auditor"])
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=accept)
    assert response.status_code == 404
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    for text in texts:
        assert text in html


def test_404_page_works_for_an_anonymous_visitor(client):
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE=EN)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


@pytest.mark.parametrize("language,texts", [
    ("zh-hans", ["服务器错误", "系统内部出错", '<html lang="zh-CN">', "/static/css/app.css"]),
    ("en", ["Server error", "Something went wrong on our side", '<html lang="en">', "/static/css/app.css"]),
])
def test_500_page_renders_without_a_request_context(language, texts):
    """Django's server_error renders 500.html with an empty context: it must need nothing else."""
    from django.views.defaults import server_error

    with translation.override(language):
        response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    for text in texts:
        assert text in html


def test_an_unhandled_exception_answers_the_sites_500_page(client, users, monkeypatch):
    def boom(request):
        raise RuntimeError("boom")

    monkeypatch.setattr("core.dashboard.panels_for", boom)
    client.raise_request_exception = False
    client.force_login(users["auditor"])
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=EN)
    assert response.status_code == 500
    assert "Server error" in response.content.decode()
