"""Amounts on pages: thousands separators and two decimals in both languages, zero as 0.00."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from tests.assets.factories import HardwareFactory, SystemFactory, org


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_cny_filters_group_by_three_with_two_decimals(language):
    template = Template("{% load money %}{{ a|cny }}|{{ z|cny }}|{{ a|amount }}|{{ n|cny }}|{{ i|amount }}|{{ a|wan }}")
    with translation.override(language):
        html = template.render(Context({"a": Decimal("1234567.5"), "z": Decimal("0"), "n": None, "i": 12000}))
    wan = "123.46 万元" if language == "zh-hans" else "123.46 × 10,000 CNY"
    assert html == f"¥1,234,567.50|¥0.00|1,234,567.50|—|12,000.00|{wan}"


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_catalogue_pages_show_amounts_with_separators(login, users, language):
    system = SystemFactory(owner_org=org("220300-swj"), yearly_ops_cost=Decimal("0"))
    HardwareFactory(system=system, unit_cost=Decimal("1234567.5"), quantity=2)
    client = login(users["prov_reviewer"])
    client.cookies["django_language"] = language
    assert "¥0.00" in client.get(reverse("assets:system_detail", args=[system.pk])).content.decode()
    html = client.get(reverse("assets:hardware_list"), {"system": system.code}).content.decode()
    assert "1,234,567.50" in html and "¥2,469,135.00" in html
