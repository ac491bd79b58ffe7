"""Review deadlines in working days, overdue marking, and the daily reminder."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from core.models import Notification
from projects.demands.choices import DemandStatus as S
from projects.demands.deadlines import add_working_days, is_overdue, is_working_day, working_days_between
from projects.demands.notifications import REMINDER_VERB, overdue_counts_by_reviewer, send_overdue_reminders
from projects.demands.tasks import remind_overdue_reviews
from projects.models import Demand
from tests.projects.factories import DemandFactory, org, walk

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10):
    return datetime(y, m, d, h, tzinfo=SH)


def test_ten_working_days_from_a_monday_is_the_monday_two_weeks_later():
    assert add_working_days(at(2026, 11, 2), 10) == at(2026, 11, 16)


def test_a_friday_plus_one_working_day_is_the_next_monday():
    assert add_working_days(at(2026, 11, 6, 17), 1) == at(2026, 11, 9, 17)


def test_weekend_start_counts_from_monday():
    assert add_working_days(at(2026, 11, 7), 1) == at(2026, 11, 9)


def test_public_holidays_are_skipped_and_makeup_days_count(settings):
    settings.PUBLIC_HOLIDAYS = ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"]
    settings.MAKEUP_WORKDAYS = ["2026-10-10"]
    assert not is_working_day(datetime(2026, 10, 1).date())
    assert is_working_day(datetime(2026, 10, 10).date())  # a Saturday made a working day
    # From Wednesday 30 September: 8 and 9 October (Thu, Fri), then Saturday 10 October.
    assert add_working_days(at(2026, 9, 30), 3) == at(2026, 10, 10)


def test_working_days_between_counts_only_working_days():
    assert working_days_between(at(2026, 11, 2), at(2026, 11, 16)) == 10


def test_due_setting_is_configurable(settings, users, db):
    settings.REVIEW_DUE_WORKING_DAYS = 3
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    assert demand.due_at == add_working_days(demand.stage_entered_at, 3)


@pytest.mark.django_db
def test_each_review_stage_gets_its_own_deadline(users):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    first_due = demand.due_at
    walk_to_prov = Demand.objects.get(pk=demand.pk)
    from projects.demands.services import demand_transition

    demand_transition(demand=walk_to_prov, name="municipal_approve", actor=users["coord_changchun"])
    assert walk_to_prov.due_at == add_working_days(walk_to_prov.stage_entered_at, 10)
    assert walk_to_prov.due_at >= first_due


@pytest.mark.django_db
def test_overdue_means_in_review_and_past_due(users):
    demand = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    now = timezone.now()
    assert is_overdue(demand, now + timedelta(days=30))
    assert not is_overdue(demand, now)
    draft = DemandFactory()
    assert not is_overdue(draft, now + timedelta(days=30))


def _overdue(demand):
    Demand.objects.filter(pk=demand.pk).update(due_at=timezone.now() - timedelta(days=1))


@pytest.mark.django_db
def test_reminder_goes_to_the_reviewers_who_hold_overdue_demands_once_a_day(users):
    changchun = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    changchun2 = walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    province = walk(DemandFactory(), S.PROVINCIAL_REVIEW, users)
    walk(DemandFactory(org=org("220200-mzj")), S.DRAFT, users)
    for d in (changchun, changchun2, province):
        _overdue(d)
    Notification.objects.all().delete()
    assert overdue_counts_by_reviewer() == {
        users["coord_changchun"].pk: 2,
        users["prov_reviewer"].pk: 1,
    }
    assert send_overdue_reminders() == 2
    rows = Notification.objects.filter(verb=REMINDER_VERB)
    assert sorted(rows.values_list("recipient__username", flat=True)) == ["coord_changchun", "prov_reviewer"]
    assert "2" in rows.get(recipient=users["coord_changchun"]).message
    assert send_overdue_reminders() == 0  # the same day: nobody twice
    assert remind_overdue_reviews.delay().get() == 0
    assert Notification.objects.filter(verb=REMINDER_VERB).count() == 2


@pytest.mark.django_db
def test_no_reminder_without_overdue_demands(users):
    walk(DemandFactory(), S.MUNICIPAL_REVIEW, users)
    assert send_overdue_reminders() == 0


def test_reminder_is_scheduled_daily_in_celery_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["remind-overdue-reviews"]
    assert entry["task"] == "projects.remind_overdue_reviews"
    assert entry["schedule"].hour == {8}
