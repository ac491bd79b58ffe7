"""Dates, phone numbers and text lengths as people type them (core.forms, core.validators)."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.utils import translation

from core.forms import DateInput, DateTimeInput, PhoneField, TextLengthMixin
from core.testing import browser_form_data
from core.validators import validate_phone

# ---------------------------------------------------------------- dates


class MilestoneLike(forms.Form):
    planned = forms.DateField(widget=DateInput())
    at = forms.DateTimeField(widget=DateTimeInput())


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_date_inputs_carry_iso_values_in_every_language(language):
    at = datetime(2027, 6, 30, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))
    with translation.override(language):
        initial = str(MilestoneLike(initial={"planned": date(2027, 6, 30), "at": at}))
        bound = str(MilestoneLike({"planned": "2027-06-30", "at": "2027-06-30T14:30"}))
    for html in (initial, bound):
        assert 'type="date" name="planned" value="2027-06-30"' in html
        assert 'type="datetime-local" name="at" value="2027-06-30T14:30"' in html


def test_what_a_date_input_posts_is_read_in_the_chinese_interface():
    with translation.override("zh-hans"):
        form = MilestoneLike({"planned": "2027-06-30", "at": "2027-06-30T14:30"})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["planned"] == date(2027, 6, 30)
    assert form.cleaned_data["at"] == datetime(2027, 6, 30, 14, 30, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_stock_widget_shows_a_localized_date_a_browser_cannot_read():
    """Why the core widget exists: Django's own, given type=date, renders 2027/06/30 in Chinese."""

    class Stock(forms.Form):
        planned = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))

    with translation.override("zh-hans"):
        html = str(Stock(initial={"planned": date(2027, 6, 30)}))
    assert browser_form_data(f'<form method="post">{html}</form>') == {"planned": [""]}


def test_every_date_field_outside_projects_uses_the_core_widgets():
    from assets import forms as asset_forms

    found = []
    for form_class in (asset_forms.SystemForm, asset_forms.HardwareForm, asset_forms.DataResourceForm):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.DateTimeField):
                assert isinstance(field.widget, DateTimeInput), f"{form_class.__name__}.{name}"
            elif isinstance(field, forms.DateField):
                assert isinstance(field.widget, DateInput), f"{form_class.__name__}.{name}"
                found.append(name)
    assert sorted(found) == ["last_assessment", "warranty_end"]


# ---------------------------------------------------------------- what a browser posts


def test_browser_form_data_posts_what_a_browser_would():
    html = """
    <form method="post" action="/logout/"><input type="hidden" name="csrfmiddlewaretoken" value="t"></form>
    <form method="post">
      <input type="hidden" name="csrfmiddlewaretoken" value="t">
      <input name="title" value="a &amp; b"><input type="date" name="d" value="2027/06/30">
      <input type="number" name="n" value="1,000"><input type="checkbox" name="c" value="x" checked>
      <input type="checkbox" name="u" value="y"><input name="off" value="z" disabled>
      <textarea name="t">
line 1
line 2</textarea>
      <select name="s"><option value="">—</option><option value="2" selected>two</option></select>
      <select name="m" multiple><option value="1" selected>a</option><option value="3" selected>c</option></select>
      <select name="none"><option value="first">f</option></select>
      <button type="submit" name="go" value="1">Go</button>
    </form>"""
    assert browser_form_data(html) == {
        "csrfmiddlewaretoken": ["t"], "title": ["a & b"], "d": [""], "n": [""], "c": ["x"], "t": ["line 1\r\nline 2"],
        "s": ["2"], "m": ["1", "3"], "none": ["first"],
    }


# ---------------------------------------------------------------- phone numbers


@pytest.mark.parametrize("number", [
    "13800138000", "+86 138 0013 8000", "+86-138-0013-8000", "86 13800138000", "138 0013 8000", "138-0013-8000",
    "0431-88888888", "(0431)8888888", "（0431）88888888", "043188888888", "021-62345678", "0431 88888888",
    "0431-88888888转123", "0431-88888888-123", "0431-88888888 ext. 123", "0431-88888888x123", "0431-88888888 分机 12",
    "１３８００１３８０００",
])
def test_mainland_phone_formats_are_accepted(number):
    validate_phone(number)


@pytest.mark.parametrize("number", [
    "abc", "12345", "1380013800", "138001380001", "12800138000", "0431-123456", "0431-888888888", "431-88888888",
    "0431-08888888", "13800138000转123", "0431-88888888转1234567", "", "电话", "0431—88888888abc",
])
def test_anything_else_is_refused_naming_the_value(number):
    with pytest.raises(ValidationError) as caught, translation.override("en"):
        validate_phone(number)
    with translation.override("en"):
        assert caught.value.messages == [
            f"“{number}” is not a phone number: write a mobile number (13800138000) or a landline with its area code "
            "(0431-88888888), with an extension if needed (0431-88888888转123)."]


def test_the_phone_form_field_refuses_abc():
    class Contact(forms.Form):
        phone = PhoneField()

    assert not Contact({"phone": "abc"}).is_valid()
    assert Contact({"phone": "0431-88880000"}).is_valid()
    assert 'inputmode="tel"' in str(Contact())


def test_the_phone_model_field_validates():
    from core.validators import phone_field

    field = phone_field("contact phone", blank=True)
    assert field.max_length == 40
    with pytest.raises(ValidationError):
        field.clean("abc", None)
    assert field.clean("0431-88880000", None) == "0431-88880000"


# ---------------------------------------------------------------- text length


class Titled(TextLengthMixin, forms.Form):
    title = forms.CharField(max_length=200, label="Title")
    body = forms.CharField(widget=forms.Textarea, required=False)
    text_max_lengths = {"body": 10}


def test_over_long_text_is_refused_with_a_message_not_cut():
    with translation.override("en"):
        form = Titled({"title": "长" * 10_000})
        assert not form.is_valid()
        assert form.errors["title"] == ["“Title” is at most 200 characters; this text has 10000."]
    with translation.override("zh-hans"):
        assert Titled({"title": "长" * 201}).errors["title"] == ["“Title”最多 200 个字符，当前内容有 201 个字符，请精简后再保存。"]


def test_the_browser_gets_a_counter_not_a_cutting_maxlength():
    html = str(Titled())
    assert ' maxlength=' not in html and 'data-maxlength="200"' in html
    assert 'data-maxlength="10"' in html


def test_a_field_without_its_own_limit_gets_the_forms_limit():
    form = Titled({"title": "x", "body": "b" * 11})
    assert list(form.errors) == ["body"]


def test_line_breaks_count_once_as_in_the_browser():
    form = Titled({"title": "x", "body": "12345\r\n7890"})  # 10 characters in the textarea, 11 posted
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == "12345\n7890"


def test_the_catalogue_forms_refuse_over_long_names(users):
    from assets.forms import SystemForm

    with translation.override("en"):
        form = SystemForm({"name": "系" * 10_000}, user=users["ops"])
        assert form.errors["name"] == ["“Name” is at most 200 characters; this text has 10000."]
        assert 'data-maxlength="200"' in str(form["name"])
