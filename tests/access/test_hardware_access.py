"""A municipal coordinator sees its city's hardware (its bureaus' and counties'), not another city's."""

import pytest
from django.urls import reverse

from tests.assets.factories import HardwareFactory, SystemFactory, org


@pytest.fixture
def hardware(db):
    def item(code, name):
        return HardwareFactory(system=SystemFactory(owner_org=org(code)), name=name)

    return {
        "office": item("220100-zwj", "长春政数局云主机"),
        "bureau": item("220100-jyj", "长春教育局云主机"),
        "county": item(next(o.code for o in org("220100-zwj").__class__.objects.filter(level="county", city__code="220100").order_by("code")[:1]), "长春县区云主机"),
        "other_city": item("220200-mzj", "吉林民政局云主机"),
    }


@pytest.mark.django_db
def test_coordinator_hardware_list_holds_its_city_and_counties(users, login, hardware):
    html = login(users["coord_changchun"]).get(reverse("assets:hardware_list")).content.decode()
    shown = {key for key, item in hardware.items() if item.name in html}
    assert shown == {"office", "bureau", "county"}


@pytest.mark.django_db
def test_coordinator_hardware_api_holds_its_city_and_counties(users, api, hardware):
    body = api.as_user(users["coord_changchun"]).get("/api/v1/hardware/").json()
    ids = {row["id"] for row in body["results"]}
    assert ids == {hardware[k].pk for k in ("office", "bureau", "county")}
    assert api.get(f"/api/v1/hardware/{hardware['other_city'].pk}/").status_code == 404


@pytest.mark.django_db
def test_coordinator_hardware_export_holds_its_city_and_counties(users, login, hardware):
    response = login(users["coord_changchun"]).get(reverse("assets:export", args=["hardware"]), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    assert {key for key, item in hardware.items() if item.name in text} == {"office", "bureau", "county"}
