"""Every date of the catalogue has a sane range, and derived dates never raise."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation

from assets.forms import HardwareForm, SystemForm
from assets.importing import run_import
from assets.models import InformationSystem
from core.dates import MIN_DATE, date_bounds, validate_date_range

from .factories import HardwareFactory, SystemFactory, org
from .test_import_export import HEADERS, csv_bytes, system_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_bounds_are_1990_to_twenty_years_ahead_or_today():
    today = timezone.localdate()
    assert date_bounds() == (MIN_DATE, today.replace(year=today.year + 20)) and MIN_DATE == date(1990, 1, 1)
    assert date_bounds(past_only=True) == (MIN_DATE, today)
    validate_date_range(today)
    with pytest.raises(ValidationError):
        validate_date_range(date(9999, 12, 31))
    with pytest.raises(ValidationError):
        validate_date_range(today + timedelta(days=1), past_only=True)


def test_api_refuses_a_last_assessment_in_year_9999_and_saves_nothing(api, users):
    client = api.as_user(users["sub_siping"])
    response = client.post("/api/v1/systems/", {"name": "四平市智慧供水", "security_level": 3, "last_assessment": "9999-12-31"},
                           format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json()["last_assessment"][0].startswith("Enter a date between 1990-01-01 and today")
    assert not InformationSystem.objects.exists()


def test_api_refuses_a_future_assessment_and_a_warranty_in_the_far_future(api, users):
    client = api.as_user(users["sub_siping"])
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post("/api/v1/systems/", {"name": "四平市智慧供水", "last_assessment": tomorrow}, format="json")
    assert response.status_code == 400 and "last_assessment" in response.json()
    response = client.post("/api/v1/hardware/", {"name": "云主机", "kind": "cloud_vm", "unit_cost": "1.00", "warranty_end": "2999-01-01"},
                           format="json")
    assert response.status_code == 400 and "warranty_end" in response.json()


def test_form_refuses_dates_out_of_range(users):
    user = users["sub_siping"]
    form = SystemForm({"name": "x", "owner_org": org("220300-swj").pk, "status": "in_operation", "build_mode": "self_built",
                       "yearly_ops_cost": "0", "last_assessment": "1899-01-01"}, user=user)
    assert not form.is_valid() and "last_assessment" in form.errors
    form = HardwareForm({"name": "x", "kind": "cloud_vm", "quantity": 1, "unit_cost": "1", "location": "provincial_cloud",
                         "status": "planned", "warranty_end": "9999-12-31"}, user=user)
    assert not form.is_valid() and "warranty_end" in form.errors


def test_import_refuses_an_assessment_in_year_9999_naming_the_column(users):
    with translation.override("zh-hans"):
        report = run_import("systems", users["ops"], csv_bytes(HEADERS, [system_row(assessed="9999-12-31")]), "s.csv", commit=True)
    assert not report.committed
    assert [(p.column, p.value) for p in report.problems] == [("最近测评日期", "9999-12-31")]
    assert not InformationSystem.objects.exists()


def test_a_bad_date_already_in_the_database_breaks_no_page(login, api, users):
    """Rows saved before the range existed: list, detail, search pages and the API still answer."""
    system = SystemFactory(name="坏日期系统", security_level=4, last_assessment=date(9999, 12, 31), owner_org=org("220000-zwj"))
    HardwareFactory(system=system, warranty_end=date(9999, 12, 31))
    assert system.assessment_due == date.max
    assert system.is_assessment_overdue is False
    client = login(users["ops"])
    for url in [reverse("assets:system_list"), reverse("assets:system_list") + "?q=坏日期",
                reverse("assets:system_list") + "?overdue=true", reverse("assets:system_detail", args=[system.pk]),
                reverse("assets:hardware_list")]:
        assert client.get(url).status_code == 200, url
    body = api.as_user(users["ops"]).get(f"/api/v1/systems/{system.pk}/").json()
    assert body["assessment_due"] == "9999-12-31"


def test_unknown_security_level_in_the_database_does_not_raise():
    system = InformationSystem(security_level=9, last_assessment=date(2026, 1, 1))
    assert system.assessment_due == date(2026, 1, 1) + timedelta(days=730)
