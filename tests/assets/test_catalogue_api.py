"""The catalogue API: /api/v1/systems/, /api/v1/hardware/, /api/v1/data-resources/."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from assets.models import DataResource, HardwareItem, InformationSystem
from core.workflow import history_for

from .factories import DataResourceFactory, HardwareFactory, SystemFactory, org

pytestmark = pytest.mark.django_db


def test_system_fields_as_the_contract_names_them(api, users):
    system = SystemFactory(code="XT-0007", name="吉林省电子证照库", owner_org=org("220000-zwj"), capabilities=["e_license", "data_exchange"],
                           user_orgs=["220100-zwj"], security_level=3, last_assessment=timezone.localdate() - timedelta(days=400),
                           yearly_ops_cost=Decimal("1900000.00"), build_mode="provincial_for_others")
    body = api.as_user(users["sub_yanji"]).get(f"/api/v1/systems/{system.pk}/").json()
    assert body["code"] == "XT-0007"
    assert body["owner_org"] == org("220000-zwj").pk
    assert sorted(body["capabilities"]) == ["data_exchange", "e_license"]
    assert body["user_orgs"] == [org("220100-zwj").pk]
    assert (body["status"], body["build_mode"], body["level"]) == ("in_operation", "provincial_for_others", "province")
    assert (body["yearly_ops_cost"], body["security_level"], body["assessment_overdue"]) == ("1900000.00", 3, True)
    assert body["project"] is None


def test_system_list_is_paginated_filtered_and_costs_fixed_queries(api, users, django_assert_num_queries):
    for i in range(3):
        SystemFactory(capabilities=["gis", "iot"], user_orgs=["220100-swj", "220200-swj"], name=f"智慧供水{i}")
    SystemFactory(name="协同办公", capabilities=["office"])
    client = api.as_user(users["coord_siping"])
    with django_assert_num_queries(5):  # token and user, count, rows, capabilities, user organizations
        body = client.get("/api/v1/systems/", {"q": "供水"}).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 3
    for i in range(10):
        SystemFactory(capabilities=["gis"], user_orgs=["220300-swj"], name=f"智慧供水B{i}")
    with django_assert_num_queries(5):
        assert client.get("/api/v1/systems/", {"q": "供水"}).json()["count"] == 13
    assert client.get("/api/v1/systems/", {"capability": "office"}).json()["count"] == 1


def test_bureau_creates_a_system_for_itself_with_capability_codes(api, users):
    client = api.as_user(users["sub_siping"])
    response = client.post("/api/v1/systems/", {"name": "四平市智慧供水", "description": "供水管网监测", "capabilities": ["iot", "gis"],
                                                "status": "building"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["code"], body["owner_org"], body["status"]) == ("XT-0001", org("220300-swj").pk, "building")
    assert sorted(body["capabilities"]) == ["gis", "iot"]
    system = InformationSystem.objects.get(code="XT-0001")
    assert [r.transition for r in history_for(system)] == ["create"]


def test_bureau_creating_for_another_org_is_forbidden_and_nothing_is_saved(api, users):
    response = api.as_user(users["sub_siping"]).post(
        "/api/v1/systems/", {"name": "别人的系统", "owner_org": org("220300-jyj").pk, "status": "in_operation"}, format="json")
    assert response.status_code == 403
    assert InformationSystem.objects.count() == 0


@pytest.mark.parametrize("username", ["auditor", "finance"])
def test_read_only_roles_cannot_create(api, users, username):
    response = api.as_user(users[username]).post("/api/v1/systems/", {"name": "x", "owner_org": org("220000-zwj").pk}, format="json")
    assert response.status_code == 403
    assert InformationSystem.objects.count() == 0


def test_bad_system_payload_names_the_fields(api, users):
    response = api.as_user(users["prov_reviewer"]).post(
        "/api/v1/systems/", {"name": "", "owner_org": org("220000-zwj").pk, "capabilities": ["teleport"], "status": "live",
                             "yearly_ops_cost": "-5", "security_level": 9}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"name", "capabilities", "status", "yearly_ops_cost", "security_level"}
    assert InformationSystem.objects.count() == 0


def test_patch_by_owner_changes_and_by_others_is_403(api, users):
    system = SystemFactory(owner_org=org("220300-swj"), name="四平市供水漏损监测", capabilities=["iot"])
    response = api.as_user(users["sub_siping"]).patch(f"/api/v1/systems/{system.pk}/",
                                                      {"capabilities": ["iot", "gis"], "yearly_ops_cost": "120000.50"}, format="json")
    assert response.status_code == 200
    assert response.json()["yearly_ops_cost"] == "120000.50"
    assert sorted(response.json()["capabilities"]) == ["gis", "iot"]
    for username in ("sub_changchun", "coord_siping", "auditor", "finance"):
        response = api.as_user(users[username]).patch(f"/api/v1/systems/{system.pk}/", {"name": "改名"}, format="json")
        assert response.status_code == 403, username
    system.refresh_from_db()
    assert system.name == "四平市供水漏损监测"


def test_provincial_role_patches_any_system_and_put_is_not_offered(api, users):
    system = SystemFactory(owner_org=org("220300-swj"))
    client = api.as_user(users["pm"])
    assert client.patch(f"/api/v1/systems/{system.pk}/", {"status": "retired"}, format="json").json()["status"] == "retired"
    assert client.put(f"/api/v1/systems/{system.pk}/", {"name": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/systems/{system.pk}/").status_code == 405


def test_unknown_system_is_404(api, users):
    assert api.as_user(users["prov_reviewer"]).patch("/api/v1/systems/999999/", {"name": "x"}, format="json").status_code == 404


def test_hardware_invisible_is_404_visible_but_not_owned_is_403(api, users):
    own = SystemFactory(owner_org=org("220100-jyj"))
    provincial = SystemFactory(owner_org=org("220000-jyt"), user_orgs=["220100-jyj"])
    foreign = SystemFactory(owner_org=org("220200-mzj"))
    mine, used, hidden = HardwareFactory(system=own), HardwareFactory(system=provincial), HardwareFactory(system=foreign)
    client = api.as_user(users["sub_changchun"])
    assert sorted(h["id"] for h in client.get("/api/v1/hardware/").json()["results"]) == sorted([mine.pk, used.pk])
    assert client.get(f"/api/v1/hardware/{hidden.pk}/").status_code == 404
    assert client.patch(f"/api/v1/hardware/{hidden.pk}/", {"quantity": 9}, format="json").status_code == 404
    assert client.patch(f"/api/v1/hardware/{used.pk}/", {"quantity": 9}, format="json").status_code == 403
    response = client.patch(f"/api/v1/hardware/{mine.pk}/", {"quantity": 3, "unit_cost": "10000.00"}, format="json")
    assert response.status_code == 200
    assert (response.json()["quantity"], response.json()["total_cost"]) == (3, "30000.00")


def test_hardware_list_costs_fixed_queries(api, users, django_assert_num_queries):
    system = SystemFactory()
    HardwareFactory(system=system)
    client = api.as_user(users["finance"])
    with django_assert_num_queries(3):  # token and user, count, rows with system and project
        client.get("/api/v1/hardware/")
    for _ in range(8):
        HardwareFactory(system=SystemFactory())
    with django_assert_num_queries(3):
        assert client.get("/api/v1/hardware/").json()["count"] == 9


def test_hardware_created_through_the_api_for_an_own_system(api, users):
    own = SystemFactory(owner_org=org("220100-jyj"))
    foreign = SystemFactory(owner_org=org("220100-mzj"))
    client = api.as_user(users["sub_changchun"])
    payload = {"name": "校园云主机", "kind": "cloud_vm", "system": own.pk, "vcpu": 8, "memory_gb": 32, "quantity": 2,
               "unit_cost": "9000.00", "location": "provincial_cloud"}
    assert client.post("/api/v1/hardware/", payload, format="json").status_code == 201
    assert client.post("/api/v1/hardware/", {**payload, "system": foreign.pk}, format="json").status_code == 403
    response = client.post("/api/v1/hardware/", {**payload, "unit_cost": "-1"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"unit_cost"}
    assert HardwareItem.objects.count() == 1


def test_data_resources_with_attributes(api, users, django_assert_num_queries):
    DataResourceFactory(name="人口基础信息", owner_org=org("220000-gat"), sharing="authorized", opening="non_opening")
    DataResourceFactory(name="电子健康档案", sharing="non_sharing")
    client = api.as_user(users["sub_yanji"])
    with django_assert_num_queries(3):
        body = client.get("/api/v1/data-resources/", {"sharing": "authorized"}).json()
    assert [(r["name"], r["owner_org"], r["sharing"], r["opening"]) for r in body["results"]] == [
        ("人口基础信息", org("220000-gat").pk, "authorized", "non_opening")]


def test_data_resource_created_by_its_owner_and_contradiction_refused(api, users):
    client = api.as_user(users["sub_siping"])
    response = client.post("/api/v1/data-resources/", {"name": "四平市供水水质信息", "sharing": "unconditional", "opening": "conditional"},
                           format="json")
    assert response.status_code == 201
    assert (response.json()["code"], response.json()["owner_org"]) == ("SJ-00001", org("220300-swj").pk)
    response = client.post("/api/v1/data-resources/", {"name": "x", "sharing": "non_sharing", "opening": "unconditional"}, format="json",
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [
        "A non-sharing resource cannot be opened to the public: its opening must be non-opening."]}
    assert client.post("/api/v1/data-resources/", {"name": "x", "sharing": "unconditional", "opening": "unconditional",
                                                    "owner_org": org("220000-gat").pk}, format="json").status_code == 403
    assert DataResource.objects.count() == 1
