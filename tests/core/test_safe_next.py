"""Every `next` goes through core.http.safe_next: same-site paths only."""

import pytest
from django.test import RequestFactory

from core.http import safe_next
from core.models import Notification

EVIL = ["https://evil.example/phish", "//evil.example", "javascript:alert(1)", "http://testserver/x", " //evil.example", "/\\evil.example"]


@pytest.mark.parametrize("url", EVIL)
def test_off_site_or_scheme_tricks_fall_back_to_the_default(url):
    request = RequestFactory().post("/x/", {"next": url}, secure=True)
    assert safe_next(request, "/home/") == "/home/"


@pytest.mark.parametrize("url", ["/demands/5/", "/catalogue/?q=平台", "https://testserver/demands/5/"])
def test_same_site_paths_are_kept(url):
    request = RequestFactory().post("/x/", {"next": url}, secure=True)
    assert safe_next(request, "/home/") == url.strip()


def test_next_from_the_query_string_and_url_names():
    request = RequestFactory().get("/x/", {"next": "https://evil.example/phish"})
    assert safe_next(request, "core:notifications") == "/notifications/"


@pytest.mark.django_db
@pytest.mark.parametrize("url", EVIL[:3])
def test_notification_link_off_site_is_not_followed(login, users, url):
    user = users["sub_changchun"]
    note = Notification.objects.create(recipient=user, verb="submitted", message="x", url=url)
    response = login(user).post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/notifications/"
