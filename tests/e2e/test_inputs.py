"""The demand form's live inputs in a real browser (issue 10 items 2 and 3): an amount typed as 50万
shows what it reads as and is written out with separators on leaving the field; a title shows a live
character counter that turns red past the limit, and nothing is cut."""

import pytest

from .browser import login

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("lang", "wan", "yuan"), [("zh-hans", "= 50.00 万元", "= 500,000.00 元"),
                                                   ("en", "= 50.00 × 10,000 CNY", "= 500,000.00 CNY")])
def test_money_input_shows_the_amount_it_reads_and_formats_it(new_page, lang, wan, yuan):
    page = new_page(1366, 900)
    login(page, "sub_changchun", lang)
    page.goto("/demands/new/")
    field = page.locator("#id_budget_hardware")
    field.fill("")
    field.type("50万")
    hint = page.locator("#id_budget_hardware ~ [data-money-hint]")
    assert wan in hint.inner_text() and yuan in hint.inner_text()
    field.press("Tab")
    assert field.input_value() == "500,000.00"
    field.fill("")
    field.type("五十万")
    assert "text-danger" in hint.get_attribute("class")


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_title_has_a_live_counter_and_long_text_is_not_cut(new_page, lang):
    page = new_page(1366, 900)
    login(page, "sub_changchun", lang)
    page.goto("/demands/new/")
    title = page.locator("#id_title")
    limit = int(title.get_attribute("data-maxlength"))
    assert title.get_attribute("maxlength") is None
    title.fill("智慧停车")
    counter = page.locator("#id_title ~ [data-maxlength-counter]")
    assert counter.inner_text().startswith(f"4 / {limit}")
    title.fill("长" * (limit + 10))
    assert title.input_value() == "长" * (limit + 10)  # the browser cut nothing
    assert counter.inner_text().startswith(f"{limit + 10} / {limit}")
    assert "10" in counter.inner_text() and "text-danger" in counter.get_attribute("class")
