"""Validators of what people type that every app shares: mainland phone numbers.

`phone_field()` is the model field for a contact phone; `core.forms.PhoneField` the form field.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

PHONE_MAX_LENGTH = 40

# A mobile number: 1[3-9] and nine more digits, grouped 3-4-4 by spaces or dashes if at all, after
# an optional +86 / 86 / 0086.
_MOBILE = r"(?:(?:\+|00)?86[\s-]?)?1[3-9]\d(?:\d{8}|[\s-]\d{4}[\s-]\d{4})"
# A landline: a 3- or 4-digit area code starting with 0 (bare, in brackets, or after +86 without
# its 0), then a 7- or 8-digit local number (which never starts with 0 or 1).
_AREA = r"(?:\(0\d{2,3}\)\s?|0\d{2,3}[\s-]?|(?:\+|00)86[\s-]?\(?[1-9]\d{1,2}\)?[\s-]?)"
_LOCAL = r"[2-9]\d{2,3}[\s-]?\d{4}"
_EXTENSION = r"(?:\s*(?:转|分机|-|ext\.?|x|#)\s*\d{1,6})?"
PHONE = re.compile(rf"(?:{_MOBILE}|{_AREA}{_LOCAL}{_EXTENSION})", re.IGNORECASE)
_BRACKETS = str.maketrans({"（": "(", "）": ")", "－": "-", "＋": "+", "\u3000": " "} | {ord("０") + i: ord("0") + i for i in range(10)})


def normalize_phone(value: str) -> str:
    """Full-width digits and brackets to ASCII, outer spaces removed."""
    return str(value).translate(_BRACKETS).strip()


def is_phone(value) -> bool:
    text = normalize_phone(value or "")
    if len(text) > PHONE_MAX_LENGTH:
        return False
    if PHONE.fullmatch(text) is None:
        return False
    digits = re.sub(r"\D", "", text.split("转")[0].split("分机")[0])
    return 7 <= len(digits) <= 20


def validate_phone(value) -> None:
    """A mainland phone number: mobile (13800138000, +86 138 0013 8000), landline with its area code
    (0431-88888888, (0431)8888888, 043188888888), optional extension (转123, -123, ext. 123, x123)."""
    if not is_phone(value):
        raise ValidationError(
            _("“%(value)s” is not a phone number: write a mobile number (13800138000) or a landline with its area code "
              "(0431-88888888), with an extension if needed (0431-88888888转123)."),
            code="phone", params={"value": value},
        )


def phone_field(verbose_name, **kwargs) -> models.CharField:
    """The model field for a contact phone: text of at most 40 characters, validated as a mainland number."""
    kwargs.setdefault("max_length", PHONE_MAX_LENGTH)
    kwargs["validators"] = [validate_phone, *kwargs.get("validators", ())]
    return models.CharField(verbose_name, **kwargs)
