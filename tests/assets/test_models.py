"""The catalogue's models: derived values and the constraints the database enforces."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from assets.models import DataResource, HardwareItem, InformationSystem

from .factories import DataResourceFactory, HardwareFactory, SystemFactory, org

pytestmark = pytest.mark.django_db


def _violates(make) -> bool:
    try:
        with transaction.atomic():
            make()
    except IntegrityError:
        return True
    return False


def test_system_level_is_its_owners_level():
    assert SystemFactory(owner_org=org("220000-zwj")).level == "province"
    assert SystemFactory(owner_org=org("220100-jyj")).level == "city"
    assert SystemFactory(owner_org=org("222401-jyj")).level == "county"


@pytest.mark.parametrize(
    "level,days_ago,overdue",
    [(3, 364, False), (3, 365, True), (4, 181, False), (4, 182, True), (2, 729, False), (2, 730, True), (1, 731, True)],
)
def test_assessment_is_overdue_once_the_interval_of_the_level_has_passed(level, days_ago, overdue):
    system = SystemFactory(security_level=level, last_assessment=timezone.localdate() - timedelta(days=days_ago))
    assert system.is_assessment_overdue is overdue


def test_graded_system_never_assessed_is_overdue_and_ungraded_one_is_not():
    assert SystemFactory(security_level=3, last_assessment=None).is_assessment_overdue is True
    assert SystemFactory(security_level=None, last_assessment=None).is_assessment_overdue is False


def test_retired_system_is_never_marked_overdue():
    system = SystemFactory(security_level=3, last_assessment=timezone.localdate() - timedelta(days=900), status="retired")
    assert system.is_assessment_overdue is False


def test_system_codes_are_unique():
    SystemFactory(code="XT-0042")
    assert _violates(lambda: SystemFactory(code="XT-0042"))


@pytest.mark.parametrize("field,value", [("yearly_ops_cost", Decimal("-0.01")), ("security_level", 6), ("security_level", 0),
                                         ("status", "live"), ("build_mode", "bought")])
def test_system_constraints_refuse_impossible_values(field, value):
    assert _violates(lambda: SystemFactory(**{field: value}))
    assert InformationSystem.objects.count() == 0


def test_non_sharing_resource_cannot_be_opened():
    assert _violates(lambda: DataResourceFactory(sharing="non_sharing", opening="conditional"))
    DataResourceFactory(sharing="non_sharing", opening="non_opening")
    assert DataResource.objects.count() == 1


@pytest.mark.parametrize("field,value", [("sharing", "maybe"), ("opening", "sometimes")])
def test_data_resource_attributes_must_be_known_values(field, value):
    assert _violates(lambda: DataResourceFactory(**{field: value}))


@pytest.mark.parametrize("field,value", [("unit_cost", Decimal("-1")), ("quantity", 0), ("storage_tb", Decimal("-2")), ("kind", "mainframe"),
                                         ("status", "lost")])
def test_hardware_constraints_refuse_impossible_values(field, value):
    assert _violates(lambda: HardwareFactory(**{field: value}))
    assert HardwareItem.objects.count() == 0


def test_hardware_total_cost_is_quantity_times_unit_cost():
    assert HardwareFactory(quantity=3, unit_cost=Decimal("12500.50")).total_cost == Decimal("37501.50")
