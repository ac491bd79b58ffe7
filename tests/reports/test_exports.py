""""Export what I see" on every list page: the list's filters and visibility, the reports' formatting,
and a number of queries that does not grow with the rows."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports.xlsx import MONEY_FORMAT
from tests.assets.factories import DataResourceFactory, HardwareFactory, SystemFactory
from tests.projects.factories import DemandFactory
from tests.projects.project_factories import ProjectFactory, org

from .helpers import workbook


def export(client, name, **query):
    response = client.get(reverse("reports:export", args=[name]), query)
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return workbook(response.content).worksheets[0]


def body(sheet, column="A"):
    """The values of one column between the header (row 5) and the total row."""
    values = [c.value for c in sheet[column][5:]]
    return values[:-1]


@pytest.mark.django_db
def test_demand_export_keeps_the_filters_and_visibility_of_the_page(login, users):
    DemandFactory(title="长春智慧校园", domain="public_services")
    DemandFactory(title="长春政务大厅", domain="government_services")
    DemandFactory(title="吉林民政救助", org=org("220200-mzj"))
    sheet = export(login(users["sub_changchun"]), "demands")
    assert sheet.title == "需求" and sheet["A1"].value == "需求（导出清单）"
    assert sorted(body(sheet, "B")) == ["长春政务大厅", "长春智慧校园"]
    sheet = export(login(users["coord_changchun"]), "demands", domain="public_services")
    assert body(sheet, "B") == ["长春智慧校园"] and "domain：public_services" in sheet["A3"].value
    sheet = export(login(users["prov_reviewer"]), "demands", search="吉林")
    assert body(sheet, "B") == ["吉林民政救助"] and sheet["N6"].number_format == MONEY_FORMAT


@pytest.mark.django_db
def test_queue_export_is_the_reviewers_queue_and_refused_to_others(login, users):
    waiting = DemandFactory(title="待省级审核")
    type(waiting).objects.filter(pk=waiting.pk).update(status="provincial_review", code="XQ-2026-000900")
    DemandFactory(title="草稿不在队列")
    assert body(export(login(users["prov_reviewer"]), "queue"), "B") == ["待省级审核"]
    assert login(users["sub_changchun"]).get(reverse("reports:export", args=["queue"])).status_code == 403


@pytest.mark.django_db
def test_project_and_catalogue_exports(login, users):
    ProjectFactory(code="XM-2026-0100", name="长春项目", construction_org=org("220100-jyj"), approved_budget=Decimal("500000.00"))
    ProjectFactory(code="XM-2026-0101", name="吉林项目", construction_org=org("220200-mzj"))
    client = login(users["sub_changchun"])
    projects = export(client, "projects")
    assert body(projects, "B") == ["长春项目"] and projects["F6"].value == 500000
    system = SystemFactory(name="吉林省智慧供水监管平台", capabilities=["iot"])
    SystemFactory(name="协同办公", capabilities=["office"])
    systems = export(client, "systems", capability="iot")
    assert body(systems, "B") == ["吉林省智慧供水监管平台"] and "物联网感知" in systems["G6"].value
    DataResourceFactory(name="人口基础信息库")
    assert "人口基础信息库" in body(export(client, "data-resources"), "B")
    HardwareFactory(system=SystemFactory(owner_org=org("220200-mzj")), name="民政云主机")
    HardwareFactory(system=system, name="供水云主机")
    assert body(export(client, "hardware"), "A") == []  # the Changchun bureau sees neither system's hardware
    assert sorted(body(export(login(users["finance"]), "hardware"), "A")) == ["供水云主机", "民政云主机"]
    assert client.get(reverse("reports:export", args=["nothing"])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["demands", "projects", "systems", "hardware", "data-resources"])
def test_an_export_costs_the_same_queries_for_more_rows(login, users, name):
    client = login(users["finance"])

    def make(n):
        for _ in range(n):
            if name == "demands":
                DemandFactory(capabilities=["identity_auth", "gis"])
            elif name == "projects":
                ProjectFactory(beneficiaries=[org("220100-jyj")])
            elif name == "systems":
                SystemFactory(capabilities=["iot"], user_orgs=["220100-jyj"])
            elif name == "hardware":
                HardwareFactory(system=SystemFactory())
            else:
                DataResourceFactory()

    def count():
        with CaptureQueriesContext(connection) as ctx:
            client.get(reverse("reports:export", args=[name]))
        return len(ctx.captured_queries)

    make(2)
    few = count()
    make(5)
    assert count() == few


@pytest.mark.django_db
def test_list_pages_offer_the_export_with_their_filters(login, users):
    client = login(users["prov_reviewer"])
    page = client.get(reverse("projects:demand_all"), {"domain": "agriculture"}).content.decode()
    assert reverse("reports:export", args=["demands"]) + "?domain=agriculture" in page
    assert reverse("reports:export", args=["queue"]) in client.get(reverse("projects:review_queue")).content.decode()
    assert reverse("reports:export", args=["projects"]) in client.get(reverse("projects:project_list")).content.decode()
    for kind, url in (("systems", "assets:system_list"), ("data-resources", "assets:data_resource_list"), ("hardware", "assets:hardware_list")):
        assert reverse("reports:export", args=[kind]) in client.get(reverse(url)).content.decode()
