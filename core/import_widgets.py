"""django-import-export widgets every app shares: money columns read as clerks type amounts (core.money).

A cell that cannot be read raises ValueError with a message in the user's language naming the
column and the value; import-export adds the row to its error.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext
from import_export import widgets

from .money import AmountError, parse_amount


class MoneyWidget(widgets.Widget):
    """An amount in CNY: 1234.5, 1,234.50, ¥1,234, 50万, 1.5亿, a number cell; empty is `default`.

    `column_label` names the column in messages (the header as the file has it); the importer sets it.
    """

    column_label = ""

    def __init__(self, default=None, column_label: str = ""):
        super().__init__(coerce_to_string=False)
        self.default = default
        if column_label:
            self.column_label = column_label

    def clean(self, value, row=None, **kwargs):
        if value is None or (isinstance(value, str) and not value.strip()):
            return self.default
        try:
            return parse_amount(value)
        except AmountError as exc:
            raise ValueError(gettext("Column “%(column)s”: %(reason)s.") % {"column": self.column_label, "reason": exc.reason})

    def render(self, value, obj=None, **kwargs):
        """A number for the spreadsheet (Decimal with two places), so that its sums work."""
        if value is None:
            return ""
        return (value if isinstance(value, Decimal) else Decimal(str(value))).quantize(Decimal("0.01"))
