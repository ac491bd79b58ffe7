"""Amounts of money in CNY as clerks type them: 50万, 1.5亿, ¥1,200,000, ￥300,000.00, １２０００.

`parse_amount` is the one reader of typed amounts: the form field, the API field and the import
widget all call it, and static/js/money.js mirrors it for the live hint beside the input. It
accepts the whole text or refuses it with a reason; it never keeps a prefix of what was typed
("50万" is 500,000.00, not 50).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("10000000000")  # 10 billion CNY: anything above is a typing error
UNITS = {"": Decimal(1), "元": Decimal(1), "万": Decimal(10_000), "万元": Decimal(10_000), "亿": Decimal(100_000_000), "亿元": Decimal(100_000_000)}
MAX_TEXT = 60  # longer than any amount; refused before any regular expression runs

# Full-width digits and punctuation an input method produces, to their ASCII forms. Only these:
# a general NFKC would also turn ① or ㈤ into digits.
_FULL_WIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {
    ord("，"): ",", ord("．"): ".", ord("￥"): "¥", ord("－"): "-", ord("\u3000"): " ", ord("\u00a0"): " ", ord("\u202f"): " ",
}
_AMOUNT = re.compile(
    r"(?P<sign>¥)?\s*(?P<number>\d+(?:\.\d+)?|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\.\d+)\s*(?P<unit>万元|亿元|万|亿|元)?",
)
_LOOSE_NUMBER = re.compile(r"¥?\s*[\d,]*\d[\d,]*(?:\.\d+)?\s*(?:万元|亿元|万|亿|元)?")
_CHINESE_NUMERALS = re.compile(r"[零〇一二两三四五六七八九十百千壹贰貳叁參肆伍陆陸柒捌玖拾佰仟]")
_NEGATIVE = re.compile(r"^\s*[-−–]|^\(.*\)$")

REASONS = {
    "empty": _("no amount was given"),
    "chinese_numerals": _("“%(value)s” is written in Chinese numerals; write the amount in digits, e.g. 500000 or 50万"),
    "negative": _("“%(value)s” is negative; amounts cannot be below zero"),
    "decimals": _("“%(value)s” has more than two decimal places; amounts are counted to the fen (0.01)"),
    "grouping": _("“%(value)s” has misplaced thousands separators; write 1,200,000 or 1200000"),
    "too_large": _("“%(value)s” is more than 10,000,000,000.00 CNY, the largest amount accepted"),
    "invalid": _("“%(value)s” is not an amount; write e.g. 500000, 1,200,000.00, ¥300,000, 50万 or 1.5亿"),
}


class AmountError(ValueError):
    """Typed text that is not an acceptable amount. `code` is a key of REASONS; str() is the reason."""

    def __init__(self, code: str, value: str):
        self.code, self.value = code, value
        super().__init__(code)

    @property
    def reason(self) -> str:
        """The reason in the active language, naming the value typed."""
        return str(REASONS[self.code]) % {"value": self.value}

    def __str__(self) -> str:
        return self.reason


def _normalize(text: str) -> str:
    return text.translate(_FULL_WIDTH).strip()


def parse_amount(value) -> Decimal:
    """The amount in CNY with two decimals, or AmountError. Accepts str, int and Decimal (float by its repr)."""
    if isinstance(value, bool):
        raise AmountError("invalid", str(value))
    if isinstance(value, int):
        return _checked(Decimal(value), str(value))
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise AmountError("invalid", str(value))
        return _checked(value, str(value))
    if not isinstance(value, str):
        raise AmountError("invalid", str(value))
    shown = value.strip()[:MAX_TEXT]
    text = _normalize(value)
    if not text:
        raise AmountError("empty", "")
    if len(text) > MAX_TEXT:
        raise AmountError("invalid", shown + "…")
    match = _AMOUNT.fullmatch(text)
    if match is None:
        if _CHINESE_NUMERALS.search(text):
            raise AmountError("chinese_numerals", shown)
        if _NEGATIVE.search(text):
            raise AmountError("negative", shown)
        if _LOOSE_NUMBER.fullmatch(text) and "," in text:
            raise AmountError("grouping", shown)
        raise AmountError("invalid", shown)
    try:
        number = Decimal(match["number"].replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern admits only plain decimals
        raise AmountError("invalid", shown)
    return _checked(number * UNITS[match["unit"] or ""], shown)


def _checked(amount: Decimal, shown: str) -> Decimal:
    if amount < 0:
        raise AmountError("negative", shown)
    if amount > MAX_AMOUNT:
        raise AmountError("too_large", shown)
    if amount != amount.quantize(CENT):
        raise AmountError("decimals", shown)
    return amount.quantize(CENT)


def format_amount(value) -> str:
    """1234567.5 → "1,234,567.50"; zero is "0.00". The grouping Chinese finance uses, whatever the locale."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{amount.quantize(CENT):,.2f}"


def format_wan(value) -> str:
    """The amount in 万 (ten thousands of CNY), two decimals: 1234567.5 → "123.46"."""
    amount = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{(amount / 10_000).quantize(CENT):,.2f}"
