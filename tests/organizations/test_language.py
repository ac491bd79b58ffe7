"""The interface follows the browser; a user's own choice from the switch is stored and wins."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

ZH, EN = "zh-CN,zh;q=0.9", "en-US,en;q=0.9"


def home_language(client: Client, accept_language: str) -> str:
    response = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=accept_language)
    assert response.status_code == 200
    return response["Content-Language"]


def fresh_login(username: str) -> Client:
    """A new browser (no cookies) logging in through the form."""
    client = Client()
    assert client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}).status_code == 302
    return client


def test_user_without_a_choice_follows_the_browser(users):
    assert users["sub_changchun"].language == ""
    client = fresh_login("sub_changchun")
    assert home_language(client, EN) == "en"
    assert home_language(client, ZH) == "zh-hans"


def test_switch_stores_the_choice_on_the_user(users):
    client = fresh_login("sub_changchun")
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"}, HTTP_ACCEPT_LANGUAGE=ZH)
    assert response.status_code == 302
    users["sub_changchun"].refresh_from_db()
    assert users["sub_changchun"].language == "en"
    assert users["sub_changchun"].preferred_language == "en"


def test_a_later_login_from_another_browser_gets_the_stored_language(users):
    fresh_login("coord_jilin").post(reverse("set_language"), {"language": "en", "next": "/"})
    other_browser = fresh_login("coord_jilin")
    assert home_language(other_browser, ZH) == "en"
    # And the other way round: a stored Chinese beats an English browser.
    other_browser.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert home_language(fresh_login("coord_jilin"), EN) == "zh-hans"


def test_switch_before_login_stores_nothing(users):
    client = Client()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    users["sub_jilin"].refresh_from_db()
    assert users["sub_jilin"].language == ""


def test_an_unknown_language_is_not_stored(users):
    fresh_login("sub_jilin").post(reverse("set_language"), {"language": "xx", "next": "/"})
    users["sub_jilin"].refresh_from_db()
    assert users["sub_jilin"].language == ""


def test_language_for_is_the_choice_or_the_site_default(users, settings):
    from organizations.selectors import language_for

    user = users["finance"]
    assert language_for(user) == settings.LANGUAGE_CODE == "zh-hans"
    user.language = "en"
    assert language_for(user) == "en"


def test_notifications_are_written_in_each_recipients_language(users, mailoutbox):
    from django.utils.translation import gettext_lazy as _

    from core.notifications import notify

    english, chinese = users["prov_reviewer"], users["prov_approver"]
    english.language, english.email = "en", "reviewer@example.invalid"
    english.save()
    chinese.email = "approver@example.invalid"
    chinese.save()
    rows = notify([english, chinese], verb="test", message=_("Log in"))
    assert {row.recipient.username: row.message for row in rows} == {"prov_reviewer": "Log in", "prov_approver": "登录"}
    assert {m.to[0]: m.body for m in mailoutbox} == {"reviewer@example.invalid": "Log in", "approver@example.invalid": "登录"}
