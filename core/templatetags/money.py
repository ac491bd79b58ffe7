"""Amounts on every page: `{% load money %}`, then `{{ x|cny }}` (¥1,234,567.00), `{{ x|amount }}` (1,234,567.00), `{{ x|wan }}`.

Thousands separators and two decimals in every language, zero as 0.00; an empty value is "—".
"""

from decimal import Decimal, InvalidOperation

from django import template
from django.utils.translation import gettext

from core.money import format_amount, format_wan

register = template.Library()
EMPTY = "—"


def _decimal(value):
    if value is None or value == "" or isinstance(value, bool):
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


@register.filter
def amount(value) -> str:
    """1234567.5 → "1,234,567.00"-style text for a column headed in CNY."""
    number = _decimal(value)
    return EMPTY if number is None else format_amount(number)


@register.filter
def cny(value) -> str:
    """1234567.5 → "¥1,234,567.50"; 0 → "¥0.00"."""
    number = _decimal(value)
    return EMPTY if number is None else f"¥{format_amount(number)}"


@register.filter
def wan(value) -> str:
    """An amount in 万元, as budget tables give it: 1234567.5 → "123.46 万元" (in English "123.46 × 10,000 CNY")."""
    number = _decimal(value)
    return EMPTY if number is None else gettext("%(amount)s × 10,000 CNY") % {"amount": format_wan(number)}


@register.simple_tag
def money_attrs():
    """The attributes that make a hand-written <input> an amount input (static/js/money.js), with
    its hints in the page's language, as core.forms.MoneyInput renders them."""
    from django.utils.html import format_html

    return format_html(
        'data-money data-money-yuan="{}" data-money-wan="{}" data-money-invalid="{}"',
        gettext("= %(amount)s CNY"), gettext("= %(amount)s × 10,000 CNY"),
        gettext("Not an amount: write e.g. 500000, 1,200,000.00, 50万 or 1.5亿"),
    )
