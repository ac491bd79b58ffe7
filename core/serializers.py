"""API fields every app shares: amounts as clerks type them (core.money)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .money import AmountError, parse_amount


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^\d+\.\d{2}$", "example": "500000.00",
                      "description": "CNY. Accepts numbers and what clerks type: 500000, \"1,200,000.00\", \"¥300,000\", \"50万\", \"1.5亿\"."})
class MoneyField(serializers.Field):
    """An amount in CNY: accepts a number or a string as core.money.parse_amount reads it; answers "1234.50"."""

    default_error_messages = {"money": "{reason}."}

    def to_internal_value(self, data):
        try:
            return parse_amount(data)
        except AmountError as exc:
            self.fail("money", reason=exc.reason)

    def to_representation(self, value):
        if value is None:
            return None
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
        return f"{amount.quantize(Decimal('0.01')):f}"
