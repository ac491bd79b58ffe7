"""Amounts as clerks type them: core.money, the form field and its widget, the API field, the import widget."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from rest_framework import serializers

from core.forms import MoneyField, MoneyInput
from core.import_widgets import MoneyWidget
from core.money import MAX_AMOUNT, AmountError, format_amount, format_wan, parse_amount
from core.serializers import MoneyField as MoneySerializerField


@pytest.mark.parametrize("typed,amount", [
    ("50万", "500000.00"),
    ("1.5亿", "150000000.00"),
    ("¥1,200,000", "1200000.00"),
    ("￥300,000.00", "300000.00"),
    ("1,000,000", "1000000.00"),
    ("１２０００", "12000.00"),
    ("50 万元", "500000.00"),
    ("3000元", "3000.00"),
    ("  42.5  ", "42.50"),
    ("0", "0.00"),
    ("¥ 50万", "500000.00"),
    ("1.2345万", "12345.00"),
    ("10000000000", "10000000000.00"),
    ("１，２００．５０", "1200.50"),
])
def test_what_clerks_type_is_read_as_the_amount_they_mean(typed, amount):
    assert parse_amount(typed) == Decimal(amount)
    assert parse_amount(typed).as_tuple().exponent == -2


@pytest.mark.parametrize("typed,code", [
    ("五十万", "chinese_numerals"),
    ("50万五千", "chinese_numerals"),
    ("1.234", "decimals"),
    ("1.2345678万", "decimals"),
    ("-5", "negative"),
    ("-50万", "negative"),
    ("abc", "invalid"),
    ("50abc", "invalid"),
    ("50万abc", "invalid"),
    ("1e3", "invalid"),
    ("50.", "invalid"),
    ("1,00,000", "grouping"),
    ("1,0000", "grouping"),
    ("12,34.5", "grouping"),
    ("10000000000.01", "too_large"),
    ("2亿亿", "invalid"),
    ("", "empty"),
    ("①", "invalid"),
])
def test_anything_else_is_refused_with_the_reason(typed, code):
    with pytest.raises(AmountError) as caught:
        parse_amount(typed)
    assert caught.value.code == code


def test_the_reason_names_the_value_in_the_users_language():
    with pytest.raises(AmountError) as caught:
        parse_amount("五十万")
    with translation.override("en"):
        assert str(caught.value) == "“五十万” is written in Chinese numerals; write the amount in digits, e.g. 500000 or 50万"
    with translation.override("zh-hans"):
        assert str(caught.value) == "“五十万”是中文数字，请用阿拉伯数字填写金额，例如 500000 或 50万"


def test_numbers_are_accepted_as_well():
    assert parse_amount(1200) == Decimal("1200.00")
    assert parse_amount(Decimal("12.5")) == Decimal("12.50")
    assert parse_amount(0.1) == Decimal("0.10")
    for bad in (True, -1, Decimal("NaN"), 0.001, [1]):
        with pytest.raises(AmountError):
            parse_amount(bad)


def test_formatting_groups_by_three_with_two_decimals_including_zero():
    assert format_amount(Decimal("0")) == "0.00"
    assert format_amount(Decimal("1234567.5")) == "1,234,567.50"
    assert format_wan(Decimal("500000")) == "50.00"


amounts = st.decimals(min_value=0, max_value=MAX_AMOUNT, places=2, allow_nan=False, allow_infinity=False)
FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


@given(amounts)
def test_a_formatted_amount_reads_back_as_itself(amount):
    assert parse_amount(format_amount(amount)) == amount
    assert parse_amount(f"¥{format_amount(amount)}") == amount
    assert parse_amount(f"{amount}元") == amount
    assert parse_amount(format_amount(amount).translate(FULL_WIDTH)) == amount
    wan = amount / 10000
    assert parse_amount(f"{wan:f}万") == amount if wan == wan.quantize(Decimal("0.000001")) else True


JUNK = st.text(alphabet=st.sampled_from("abcxyzXYZ五十百千!@#/%&*()_=+?;:'\"<>|~`^-"), min_size=1, max_size=5)


@given(amounts, JUNK)
def test_a_prefix_of_what_was_typed_is_never_kept(amount, junk):
    for typed in (format_amount(amount) + junk, junk + format_amount(amount), f"{amount}万{junk}", f"{amount}{junk}元"):
        with pytest.raises(AmountError):
            parse_amount(typed)


@given(st.text(max_size=80))
def test_any_text_is_an_amount_in_range_or_a_refusal(text):
    try:
        amount = parse_amount(text)
    except AmountError as exc:
        assert exc.code in {"empty", "chinese_numerals", "negative", "decimals", "grouping", "too_large", "invalid"}
        assert str(exc)
    else:
        assert Decimal(0) <= amount <= MAX_AMOUNT and amount.as_tuple().exponent == -2


# ---------------------------------------------------------------- the form field and its widget


class BudgetForm(forms.Form):
    budget = MoneyField(label="Budget total")
    optional = MoneyField(label="Other", required=False)


def test_the_form_field_reads_50_wan_as_500000():
    form = BudgetForm({"budget": "50万", "optional": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"budget": Decimal("500000.00"), "optional": None}


def test_the_form_error_names_the_field_and_the_value_in_the_users_language():
    with translation.override("en"):
        form = BudgetForm({"budget": "五十万"})
        assert form.errors["budget"] == [
            "Budget total: “五十万” is written in Chinese numerals; write the amount in digits, e.g. 500000 or 50万."]
    with translation.override("zh-hans"):
        form = BudgetForm({"budget": "1.234"})
        assert form.errors["budget"] == ["Budget total：“1.234”超过两位小数，金额精确到分（0.01）。"]


def test_the_input_shows_thousands_separators_and_two_decimals():
    html = str(BudgetForm(initial={"budget": Decimal("1234567.5"), "optional": Decimal("0")}))
    assert 'name="budget" value="1,234,567.50"' in html
    assert 'name="optional" value="0.00"' in html
    assert 'type="text"' in html and 'inputmode="decimal"' in html and "data-money" in html


def test_a_refused_value_is_shown_back_as_typed():
    html = str(BudgetForm({"budget": "50万abc"})["budget"])
    assert 'value="50万abc"' in html


def test_the_widgets_hint_wording_follows_the_page_language():
    with translation.override("zh-hans"):
        html = MoneyInput().render("x", Decimal("1"))
    assert 'data-money-wan="= %(amount)s 万元"' in html and 'data-money-yuan="= %(amount)s 元"' in html


def test_the_assets_model_forms_use_the_money_field():
    from assets.forms import HardwareForm, SystemForm

    assert isinstance(SystemForm.base_fields["yearly_ops_cost"], MoneyField)
    assert isinstance(HardwareForm.base_fields["unit_cost"], MoneyField)


# ---------------------------------------------------------------- the API field


class BudgetSerializer(serializers.Serializer):
    budget = MoneySerializerField()


@pytest.mark.parametrize("sent,stored", [("50万", "500000.00"), (1200, "1200.00"), ("¥1,200,000", "1200000.00"), (12.5, "12.50")])
def test_the_api_field_accepts_strings_and_numbers(sent, stored):
    s = BudgetSerializer(data={"budget": sent})
    assert s.is_valid(), s.errors
    assert s.validated_data["budget"] == Decimal(stored)
    assert BudgetSerializer({"budget": Decimal(stored)}).data == {"budget": stored}


def test_the_api_field_refuses_with_the_reason():
    with translation.override("en"):
        s = BudgetSerializer(data={"budget": "-5"})
        assert not s.is_valid()
        assert s.errors == {"budget": ["“-5” is negative; amounts cannot be below zero."]}


def test_the_catalogue_api_takes_wan(api, users):
    from assets.models import InformationSystem

    r = api.as_user(users["ops"]).post("/api/v1/systems/", {"name": "万元系统", "yearly_ops_cost": "50万"}, format="json")
    assert r.status_code == 201, r.json()
    assert r.json()["yearly_ops_cost"] == "500000.00"
    assert InformationSystem.objects.get(pk=r.json()["id"]).yearly_ops_cost == Decimal("500000.00")


# ---------------------------------------------------------------- the import widget


def test_the_import_widget_reads_wan_and_names_the_column():
    widget = MoneyWidget(column_label="预算")
    assert widget.clean("1.5亿") == Decimal("150000000.00")
    assert widget.clean(1200.5) == Decimal("1200.50")
    assert widget.clean("  ") is None
    with translation.override("en"), pytest.raises(ValueError) as caught:
        widget.clean("50万abc")  # the message is built in the active language
    with translation.override("en"):
        assert str(caught.value) == "Column “预算”: “50万abc” is not an amount; write e.g. 500000, 1,200,000.00, ¥300,000, 50万 or 1.5亿."
