"""Sane ranges for dates people type, and date arithmetic that never raises.

Every date a person enters (forms, API, imports) lies between 1990-01-01 and twenty years
ahead; a date that records something that happened (an assessment) lies between
1990-01-01 and today. Model fields carry `DateRangeValidator`, so ModelForms, ModelSerializers
and `full_clean()` (imports) all apply it; `validate_date_range` serves anything else.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

MIN_DATE = date(1990, 1, 1)
YEARS_AHEAD = 20


def date_bounds(*, past_only: bool = False) -> tuple[date, date]:
    """(earliest, latest) allowed today."""
    today = timezone.localdate()
    if past_only:
        return MIN_DATE, today
    try:
        latest = today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + YEARS_AHEAD, day=28)
    return MIN_DATE, latest


def date_range_message(*, past_only: bool = False) -> str:
    low, high = date_bounds(past_only=past_only)
    if past_only:
        return _("Enter a date between %(min)s and today (%(max)s).") % {"min": low.isoformat(), "max": high.isoformat()}
    return _("Enter a date between %(min)s and %(max)s.") % {"min": low.isoformat(), "max": high.isoformat()}


def validate_date_range(value, *, past_only: bool = False) -> None:
    """Raise ValidationError (code "date_range") when `value` is outside the sane range; None passes."""
    if value is None:
        return
    low, high = date_bounds(past_only=past_only)
    if not (low <= value <= high):
        raise ValidationError(date_range_message(past_only=past_only), code="date_range")


@deconstructible
class DateRangeValidator:
    """A model-field validator: `validators=[DateRangeValidator(past_only=True)]`."""

    def __init__(self, past_only: bool = False):
        self.past_only = past_only

    def __call__(self, value):
        validate_date_range(value, past_only=self.past_only)

    def __eq__(self, other):
        return isinstance(other, DateRangeValidator) and other.past_only == self.past_only


def add_days(value: date, days: int) -> date:
    """`value + days`, clamped to date.min/date.max instead of raising OverflowError."""
    try:
        return value + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min
