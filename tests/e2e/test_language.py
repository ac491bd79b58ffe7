"""The language switch in a real browser: the choice is stored on the user and follows them."""

import pytest

from .browser import login, screenshot

pytestmark = pytest.mark.browser


@pytest.fixture
def siping():
    """A demo user whose stored language is put back to "follow the browser" afterwards."""
    from organizations.models import User

    user = User.objects.get(username="sub_siping")
    User.objects.filter(pk=user.pk).update(language="")
    yield user
    User.objects.filter(pk=user.pk).update(language="")


def test_switch_is_stored_and_a_later_login_elsewhere_gets_it(new_page, siping):
    page = new_page()
    login(page, "sub_siping", "en")
    assert page.get_attribute("html", "lang") == "en"
    with page.expect_navigation():
        page.click("[data-testid=lang-zh-hans]")
    assert page.get_attribute("html", "lang") == "zh-CN"
    siping.refresh_from_db()
    assert siping.language == "zh-hans"

    elsewhere = new_page()  # another browser, no cookies, set to English
    login(elsewhere, "sub_siping", "en")
    assert elsewhere.get_attribute("html", "lang") == "zh-CN"
    screenshot(elsewhere, "language-stored-choice-beats-browser")


def test_user_without_a_choice_follows_the_browser(new_page, siping):
    for lang, html_lang in (("en", "en"), ("zh-hans", "zh-CN")):
        page = new_page()
        login(page, "sub_siping", lang)
        assert page.get_attribute("html", "lang") == html_lang
