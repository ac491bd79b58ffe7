"""The catalogue pages: search and filters, exact query counts, who sees what, who changes what."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assets.models import InformationSystem
from assets.selectors import filter_systems, hardware_visible_to, systems_for_catalogue
from core.workflow import history_for
from organizations.models import Region

from .factories import DataResourceFactory, HardwareFactory, SystemFactory, org

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def catalogue(users):
    """A small catalogue: a provincial water platform used by two cities, city systems, an overdue one."""
    return {
        "water": SystemFactory(code="XT-0001", name="吉林省智慧供水监管平台", description="水质在线监测和管网漏损分析",
                               owner_org=org("220000-zjt"), capabilities=["iot", "gis"], user_orgs=["220100-swj", "220200-swj"],
                               build_mode="provincial_for_others", security_level=2, last_assessment=TODAY() - timedelta(days=100)),
        "parking": SystemFactory(code="XT-0002", name="长春市智慧停车管理平台", description="Smart parking guidance",
                                 owner_org=org("220100-jtj"), capabilities=["iot", "payment"], security_level=3,
                                 last_assessment=TODAY() - timedelta(days=400)),
        "grid": SystemFactory(code="XT-0003", name="延吉市网格化管理系统", description="网格事件分拨",
                              owner_org=org("222401-zwj"), capabilities=["gis", "workflow"], status="building"),
        "old": SystemFactory(code="XT-0004", name="白山市供水调度系统", description="已迁移", owner_org=org("220600-swj"),
                             capabilities=["iot"], status="retired", security_level=2, last_assessment=TODAY() - timedelta(days=2000)),
    }


def _codes(qs):
    return sorted(qs.values_list("code", flat=True))


@pytest.mark.parametrize("params,expected", [
    ({"q": "供水"}, ["XT-0001", "XT-0004"]),
    ({"q": "漏损"}, ["XT-0001"]),                       # description, Chinese
    ({"q": "PARKING guidance"}, ["XT-0002"]),           # English, any case, every word
    ({"q": "xt-0003"}, ["XT-0003"]),                    # code
    ({"q": "供水 长春"}, []),
    ({"capability": "gis"}, ["XT-0001", "XT-0003"]),
    ({"level": "province"}, ["XT-0001"]),
    ({"level": "county"}, ["XT-0003"]),
    ({"status": "building"}, ["XT-0003"]),
    ({"build_mode": "provincial_for_others"}, ["XT-0001"]),
    ({"overdue": True}, ["XT-0002"]),
    ({"overdue": False}, ["XT-0001", "XT-0003", "XT-0004"]),
])
def test_catalogue_search_and_filters(users, catalogue, params, expected):
    assert _codes(filter_systems(systems_for_catalogue(users["sub_yanji"]), **params)) == expected


def test_owner_and_city_filters(users, catalogue):
    base = systems_for_catalogue(users["sub_yanji"])
    changchun = Region.objects.get(code="220100")
    yanbian = Region.objects.get(code="222400")
    assert _codes(filter_systems(base, owner_org=org("220100-jtj"))) == ["XT-0002"]
    # Used in Changchun: the provincial platform its water bureau uses, and Changchun's own parking system.
    assert _codes(filter_systems(base, city=changchun)) == ["XT-0001", "XT-0002"]
    assert _codes(filter_systems(base, city=yanbian)) == ["XT-0003"]


def test_everyone_signed_in_reads_the_whole_catalogue(users, catalogue):
    for name in ("sub_yanji", "coord_siping", "auditor", "finance"):
        assert _codes(systems_for_catalogue(users[name])) == ["XT-0001", "XT-0002", "XT-0003", "XT-0004"]


def test_catalogue_page_filters_from_the_query_string(login, users, catalogue):
    client = login(users["sub_siping"])
    response = client.get(reverse("assets:system_list"), {"q": "供水", "status": "in_operation"})
    assert response.status_code == 200
    assert [s.code for s in response.context["page"]] == ["XT-0001"]
    assert "吉林省智慧供水监管平台" in response.content.decode()


def test_catalogue_page_costs_the_same_queries_whatever_its_length(login, users, catalogue, django_assert_num_queries):
    client = login(users["sub_siping"])
    url = reverse("assets:system_list")
    # session, user, the capability asked for, count, unread notifications, the user's organization (menu),
    # capability / owner / city choices, rows, their capabilities
    with django_assert_num_queries(11):
        client.get(url, {"capability": "iot"})
    for _ in range(12):
        SystemFactory(capabilities=["iot", "gis"], user_orgs=["220300-swj"])
    with django_assert_num_queries(11):
        response = client.get(url, {"capability": "iot"})
    assert response.context["page"].paginator.count == 15


def test_system_page_shows_capabilities_users_by_city_reuse_demands_and_history(login, users, catalogue):
    from assets import services

    water = catalogue["water"]
    services.add_user_org(water, org("220300-swj"), actor=users["prov_reviewer"], comment="推荐复用")
    water.user_orgs.add(org("220000-slt"))
    response = login(users["sub_siping"]).get(reverse("assets:system_detail", args=[water.pk]), HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200
    assert [(city, [o.code for o in orgs]) for city, orgs in response.context["users_by_city"]] == [
        ("Provincial departments", ["220000-slt"]), ("Changchun", ["220100-swj"]), ("Jilin", ["220200-swj"]), ("Siping", ["220300-swj"])]
    assert "IoT sensing" in html and "Geographic information (GIS)" in html
    assert [(e["row"].transition, e["org"], e["row"].comment) for e in response.context["history"]] == [
        ("add_user", "220300-swj", "推荐复用")]
    assert response.context["may_change"] is False


def test_system_page_lists_only_reuse_demands_the_user_may_see(login, users, catalogue):
    from projects.models import Demand

    water = catalogue["water"]
    mine = Demand.objects.create(org=org("220300-swj"), title="四平市智慧水务", reuse_system=water)
    theirs = Demand.objects.create(org=org("220200-mzj"), title="吉林市供水", reuse_system=water)
    seen = login(users["sub_siping"]).get(reverse("assets:system_detail", args=[water.pk])).context["reuse_demands"]
    assert [d.pk for d in seen] == [mine.pk]
    seen = login(users["prov_reviewer"]).get(reverse("assets:system_detail", args=[water.pk])).context["reuse_demands"]
    assert sorted(d.pk for d in seen) == sorted([mine.pk, theirs.pk])


def test_overdue_marker_shows_on_list_and_page(login, users, catalogue):
    client = login(users["auditor"])
    html = client.get(reverse("assets:system_list")).content.decode()
    assert html.count('data-testid="assessment-overdue"') == 1
    html = client.get(reverse("assets:system_detail", args=[catalogue["parking"].pk])).content.decode()
    assert 'data-testid="assessment-overdue"' in html


def test_unknown_system_is_404(login, users):
    assert login(users["auditor"]).get(reverse("assets:system_detail", args=[999999])).status_code == 404


def test_bureau_edits_its_own_system_from_the_page(login, users):
    system = SystemFactory(owner_org=org("220300-swj"), name="四平市供水漏损监测", capabilities=["iot"])
    client = login(users["sub_siping"])
    data = {"name": "四平市供水漏损监测系统", "description": "分区计量", "owner_org": org("220300-swj").pk, "capabilities": ["iot", "gis"],
            "status": "in_operation", "build_mode": "self_built", "url": "", "yearly_ops_cost": "300000", "security_level": "2",
            "last_assessment": "2026-01-15"}
    response = client.post(reverse("assets:system_edit", args=[system.pk]), data)
    assert response.status_code == 302, response.context["form"].errors
    system.refresh_from_db()
    assert (system.name, system.yearly_ops_cost, system.security_level) == ("四平市供水漏损监测系统", Decimal("300000.00"), 2)
    assert sorted(system.capabilities.values_list("code", flat=True)) == ["gis", "iot"]
    (row,) = history_for(system)
    assert set(row.payload["changes"]) == {"name", "description", "yearly_ops_cost", "security_level", "last_assessment", "capabilities"}


@pytest.mark.parametrize("username", ["sub_changchun", "coord_siping", "auditor", "finance"])
def test_others_cannot_edit_a_bureau_system_from_the_page(login, users, username):
    system = SystemFactory(owner_org=org("220300-swj"), name="四平市供水漏损监测")
    client = login(users[username])
    assert client.get(reverse("assets:system_edit", args=[system.pk])).status_code == 403
    response = client.post(reverse("assets:system_edit", args=[system.pk]), {"name": "改名", "owner_org": org("220300-swj").pk})
    assert response.status_code == 403
    system.refresh_from_db()
    assert system.name == "四平市供水漏损监测"


def test_bureau_adds_a_system_only_for_itself(login, users):
    client = login(users["sub_jilin"])
    data = {"name": "吉林市社区养老平台", "owner_org": org("220200-mzj").pk, "status": "building", "build_mode": "self_built",
            "yearly_ops_cost": "0", "capabilities": ["mobile_app"]}
    response = client.post(reverse("assets:system_create"), data)
    assert response.status_code == 302, response.context["form"].errors
    system = InformationSystem.objects.get(name="吉林市社区养老平台")
    assert (system.code, system.owner_org.code, system.status) == ("XT-0001", "220200-mzj", "building")
    # Another organization is not even a choice for it.
    response = client.post(reverse("assets:system_create"), {**data, "name": "别人的", "owner_org": org("220200-jyj").pk})
    assert response.status_code == 200
    assert "owner_org" in response.context["form"].errors
    assert InformationSystem.objects.count() == 1


def test_auditor_sees_no_change_buttons(login, users, catalogue):
    html = login(users["auditor"]).get(reverse("assets:system_list")).content.decode()
    assert reverse("assets:system_create") not in html
    assert reverse("assets:import", args=["systems"]) not in html
    html = login(users["prov_reviewer"]).get(reverse("assets:system_list")).content.decode()
    assert reverse("assets:system_create") in html


def test_capability_pages_list_the_systems_that_provide_each(login, users, catalogue, django_assert_num_queries):
    client = login(users["sub_yanji"])
    with django_assert_num_queries(5):  # session, user, unread count, the user's organization (menu), capabilities with counts
        response = client.get(reverse("assets:capability_list"))
    counts = {c.code: c.system_count for c in response.context["capabilities"]}
    assert (counts["iot"], counts["gis"], counts["payment"], counts["hotline"]) == (2, 2, 1, 0)  # retired ones do not count
    response = client.get(reverse("assets:capability_detail", args=["iot"]))
    assert [s.code for s in response.context["page"]] == ["XT-0001", "XT-0002", "XT-0004"]  # in operation first


def test_data_resource_list_filters_and_counts_queries(login, users, django_assert_num_queries):
    DataResourceFactory(name="人口基础信息", sharing="authorized", opening="non_opening")
    DataResourceFactory(name="市场主体登记信息", sharing="unconditional", opening="unconditional")
    DataResourceFactory(name="电子健康档案", sharing="non_sharing")
    client = login(users["sub_yanji"])
    url = reverse("assets:data_resource_list")
    with django_assert_num_queries(7):  # session, user, count, unread count, the user's organization, owner choices, rows
        response = client.get(url, {"sharing": "authorized"})
    assert [r.name for r in response.context["page"]] == ["人口基础信息"]
    for _ in range(10):
        DataResourceFactory(sharing="authorized", opening="conditional")
    with django_assert_num_queries(7):
        response = client.get(url, {"sharing": "authorized"})
    assert response.context["page"].paginator.count == 11


def test_hardware_follows_the_tree(users):
    own = SystemFactory(owner_org=org("220100-jyj"))
    used = SystemFactory(owner_org=org("220000-jyt"), user_orgs=["220100-jyj"])
    foreign = SystemFactory(owner_org=org("220200-mzj"))
    a, b, c = HardwareFactory(system=own), HardwareFactory(system=used), HardwareFactory(system=foreign)
    assert sorted(hardware_visible_to(users["sub_changchun"]).values_list("pk", flat=True)) == sorted([a.pk, b.pk])
    assert sorted(hardware_visible_to(users["finance"]).values_list("pk", flat=True)) == sorted([a.pk, b.pk, c.pk])
    assert list(hardware_visible_to(users["sub_jilin"]).values_list("pk", flat=True)) == [c.pk]


def test_hardware_page_hides_and_404s_what_the_user_may_not_see(login, users, django_assert_num_queries):
    own = SystemFactory(owner_org=org("220100-jyj"))
    foreign = SystemFactory(owner_org=org("220200-mzj"))
    mine, theirs = HardwareFactory(system=own), HardwareFactory(system=foreign)
    client = login(users["sub_changchun"])
    with django_assert_num_queries(7):  # session, user, total, count, unread count, the user's organization, rows
        response = client.get(reverse("assets:hardware_list"))
    assert [h.pk for h in response.context["page"]] == [mine.pk]
    assert response.context["total"] == Decimal("36000.00")
    for _ in range(5):
        HardwareFactory(system=own)
    with django_assert_num_queries(7):
        client.get(reverse("assets:hardware_list"))
    assert client.get(reverse("assets:hardware_edit", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("assets:hardware_edit", args=[mine.pk])).status_code == 200


def test_home_page_counts_overdue_assessments_for_maintainers_and_auditors(login, users, catalogue):
    from core.dashboard import panels_for

    panels = {str(p.title): p for p in panels_for(users["auditor"])}
    overdue = next(p for p in panels.values() if p.url.endswith("?overdue=true"))
    assert (overdue.value, overdue.tone) == (1, "danger")
    assert not [p for p in panels_for(users["sub_changchun"]) if p.url.endswith("?overdue=true")]
