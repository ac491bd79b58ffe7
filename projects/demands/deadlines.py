"""Review deadlines in working days.

Each review stage (municipal, provincial, expert) is due `REVIEW_DUE_WORKING_DAYS` working
days (default 10) after the demand entered it. Working days are Monday to Friday, minus the
dates listed in the optional setting `PUBLIC_HOLIDAYS`, plus the weekend dates listed in
`MAKEUP_WORKDAYS` (China moves working days around its holidays, 调休). Both settings take
ISO dates ("2026-10-01") and default to nothing.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

from django.conf import settings
from django.utils import timezone

from projects.demands.choices import REVIEW_STATES


@lru_cache(maxsize=8)
def _calendar(holidays: tuple[str, ...], makeup: tuple[str, ...]) -> tuple[frozenset[date], frozenset[date]]:
    return frozenset(date.fromisoformat(d) for d in holidays), frozenset(date.fromisoformat(d) for d in makeup)


def _holidays_and_makeup_days() -> tuple[frozenset[date], frozenset[date]]:
    return _calendar(
        tuple(getattr(settings, "PUBLIC_HOLIDAYS", ()) or ()),
        tuple(getattr(settings, "MAKEUP_WORKDAYS", ()) or ()),
    )


def is_working_day(day: date) -> bool:
    """Monday to Friday unless a public holiday; a weekend day only when it is a make-up working day."""
    holidays, makeup = _holidays_and_makeup_days()
    if day in makeup:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: datetime, days: int) -> datetime:
    """The moment `days` working days after `start`, at the same local time of day.

    The day of `start` itself is not counted: a demand entering review on Monday 10:00 with
    ten working days is due on Monday two weeks later at 10:00.
    """
    local = timezone.localtime(start)
    day = local.date()
    remaining = days
    while remaining > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return local.replace(year=day.year, month=day.month, day=day.day)


def working_days_between(start: datetime, end: datetime) -> int:
    """Working days from the local date of `start` (not counted) up to that of `end` (counted)."""
    first, last = timezone.localtime(start).date(), timezone.localtime(end).date()
    count = 0
    day = first
    while day < last:
        day += timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def review_due(entered_at: datetime) -> datetime:
    """When a review stage entered at `entered_at` is due (REVIEW_DUE_WORKING_DAYS working days later)."""
    return add_working_days(entered_at, settings.REVIEW_DUE_WORKING_DAYS)


def is_overdue(demand, now: datetime | None = None) -> bool:
    """A demand waiting in a review stage past its due moment."""
    now = now or timezone.now()
    return demand.status in REVIEW_STATES and demand.due_at is not None and demand.due_at < now
