"""django-filter pieces that refuse malformed and out-of-range values instead of failing with a 500.

`?city=99999999999999999999` used to reach the database and fail there (OverflowError on SQLite,
a DataError on PostgreSQL); `?q=%00` fails on PostgreSQL. Here every id is checked to be a whole
number from 1 to 2^63-1, every text to hold no NUL and to be of bounded length, before any query:
the API answers 400 with the parameter named, a page shows the error beside the filter.

* `FilterSet`: the base of every filter set (its automatic filters, from `Meta.fields` or a
  viewset's `filterset_fields`, are the safe ones below).
* `ModelChoiceFilter`, `ModelMultipleChoiceFilter`, `IntegerFilter`, `CharFilter`, and the form
  fields `ModelChoiceField`, `ModelMultipleChoiceField` for filters with their own field class.
* `FilterBackend`: DRF's filter backend with this FilterSet as the base of generated filter sets.
"""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend

MAX_ID = 2**63 - 1
MAX_TEXT = 200

MESSAGES = {
    "id": _("%(param)s: “%(value)s” is not an id; give a whole number from 1 to 9223372036854775807."),
    "integer": _("%(param)s: “%(value)s” is not a whole number from -9223372036854775808 to 9223372036854775807."),
    "nul": _("%(param)s: the value contains a NUL character."),
    "long": _("%(param)s: the value is longer than %(max)d characters."),
}


def _shown(value) -> str:
    text = str(value).replace("\x00", "\\0")
    return text if len(text) <= 40 else text[:40] + "…"


def _refuse(field, code, value, **params):
    raise ValidationError(MESSAGES[code], code=code, params={"param": getattr(field, "param_name", "") or field.label,
                                                              "value": _shown(value), **params})


def check_text(field, value, max_length: int | None = MAX_TEXT) -> str:
    text = str(value)
    if "\x00" in text:
        _refuse(field, "nul", value)
    if max_length and len(text) > max_length:
        _refuse(field, "long", value, max=max_length)
    return text


def _key_field(queryset, to_field_name):
    field = queryset.model._meta.get_field(to_field_name) if to_field_name else queryset.model._meta.pk
    while field.is_relation and getattr(field, "target_field", None) is not None:
        field = field.target_field
    return field


def check_key(field, value):
    """Refuse a key the database cannot compare with the column (the lookup itself is the field's)."""
    key = _key_field(field.queryset, field.to_field_name)
    if isinstance(key, (models.AutoField, models.IntegerField)):
        text = str(value).strip()
        if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_ID:
            _refuse(field, "id", value)
        return text
    return check_text(field, value, getattr(key, "max_length", None) or MAX_TEXT)


class ModelChoiceField(forms.ModelChoiceField):
    """A record by id (or `to_field_name`), with the key checked before the lookup."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        return super().to_python(check_key(self, value))


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        if not isinstance(value, (str, bytes)) and hasattr(value, "__iter__"):
            value = [check_key(self, v) for v in value]
        return super()._check_values(value)


class BoundedIntegerField(forms.IntegerField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not (text.isascii() and text.lstrip("-").isdigit()) or not -MAX_ID - 1 <= int(text) <= MAX_ID:
            _refuse(self, "integer", value)
        return int(text)


class TextField(forms.CharField):
    def to_python(self, value):
        value = super().to_python(value)
        return check_text(self, value) if value else value


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = ModelChoiceField


class ModelMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = ModelMultipleChoiceField


class IntegerFilter(django_filters.NumberFilter):
    field_class = BoundedIntegerField


class CharFilter(django_filters.CharFilter):
    field_class = TextField


_INTEGERS = (models.AutoField, models.BigAutoField, models.SmallAutoField, models.IntegerField, models.BigIntegerField,
             models.SmallIntegerField, models.PositiveIntegerField, models.PositiveBigIntegerField, models.PositiveSmallIntegerField)


class FilterSet(django_filters.FilterSet):
    """The base of every filter set: generated filters are the safe ones; errors name the parameter."""

    FILTER_DEFAULTS = {
        **django_filters.FilterSet.FILTER_DEFAULTS,
        **{f: {"filter_class": IntegerFilter} for f in _INTEGERS},
        models.CharField: {"filter_class": CharFilter},
        models.TextField: {"filter_class": CharFilter},
        models.SlugField: {"filter_class": CharFilter},
        models.ForeignKey: {"filter_class": ModelChoiceFilter,
                            "extra": lambda f: {"queryset": django_filters.filterset.remote_queryset(f)}},
        models.OneToOneField: {"filter_class": ModelChoiceFilter,
                               "extra": lambda f: {"queryset": django_filters.filterset.remote_queryset(f)}},
        models.ManyToManyField: {"filter_class": ModelMultipleChoiceFilter,
                                 "extra": lambda f: {"queryset": django_filters.filterset.remote_queryset(f)}},
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.form.fields.items():
            field.param_name = self.form.add_prefix(name)


class FilterBackend(DjangoFilterBackend):
    """DRF's django-filter backend, with core.filters.FilterSet as the base of `filterset_fields` filter sets."""

    filterset_base = FilterSet
