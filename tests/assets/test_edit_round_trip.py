"""Saving an unchanged catalogue edit form, as a browser does, changes nothing, in both languages."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from core.testing import assert_edit_round_trip

from .factories import DataResourceFactory, HardwareFactory, SystemFactory, org

pytestmark = pytest.mark.django_db


def test_system_edit_keeps_its_assessment_date_and_cost(login, users):
    system = SystemFactory(owner_org=org("220300-swj"), security_level=3, last_assessment=date(2025, 6, 30),
                           yearly_ops_cost=Decimal("1234567.50"), description="第一行\n第二行", capabilities=["iot"])
    posted = assert_edit_round_trip(login(users["sub_siping"]), reverse("assets:system_edit", args=[system.pk]), system)
    assert posted["zh-hans"]["last_assessment"] == ["2025-06-30"]
    assert posted["zh-hans"]["yearly_ops_cost"] == ["1,234,567.50"]


def test_hardware_edit_keeps_its_warranty_date_and_cost(login, users):
    item = HardwareFactory(system=SystemFactory(owner_org=org("220300-swj")), warranty_end=date(2028, 1, 31),
                           unit_cost=Decimal("0"), storage_tb=Decimal("1.50"))
    posted = assert_edit_round_trip(login(users["sub_siping"]), reverse("assets:hardware_edit", args=[item.pk]), item)
    assert posted["en"]["warranty_end"] == ["2028-01-31"] and posted["en"]["unit_cost"] == ["0.00"]


def test_data_resource_edit_changes_nothing(login, users):
    resource = DataResourceFactory(owner_org=org("220300-swj"), description="多行\n说明")
    assert_edit_round_trip(login(users["sub_siping"]), reverse("assets:data_resource_edit", args=[resource.pk]), resource)
