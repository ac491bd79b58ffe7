"""Project pages: list, project page with four lanes, portfolio; visibility, forms, query counts."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import StaleEdit
from projects.delivery import services
from projects.models import Milestone, Project

from .project_factories import ApprovedDemandFactory, ProjectFactory, hardware_item, org

pytestmark = pytest.mark.django_db

LIST = reverse("projects:project_list")
PORTFOLIO = reverse("projects:portfolio")


def detail(project):
    return reverse("projects:project_detail", args=[project.pk])


@pytest.fixture
def changchun_project(users):
    """A provincial project built for Changchun's education bureau."""
    return ProjectFactory(name="长春智慧校园", beneficiaries=[org("220100-jyj")])


@pytest.fixture
def jilin_project(users):
    return ProjectFactory(name="吉林民政平台", beneficiaries=[org("220200-mzj")])


def codes(response):
    return [row["project"].code for row in response.context["rows"]]


# ------------------------------------------------------------------ visibility


@pytest.mark.parametrize("username", ["pm", "finance", "ops", "prov_reviewer", "prov_approver", "auditor", "admin"])
def test_province_wide_roles_see_every_project(users, login, changchun_project, jilin_project, username):
    response = login(users[username]).get(LIST)
    assert response.status_code == 200
    assert sorted(codes(response)) == sorted([changchun_project.code, jilin_project.code])


@pytest.mark.parametrize(("username", "visible"), [
    ("sub_changchun", ["长春智慧校园"]),
    ("coord_changchun", ["长春智慧校园"]),
    ("sub_jilin", ["吉林民政平台"]),
    ("coord_jilin", ["吉林民政平台"]),
    ("sub_yanji", []),
    ("coord_yanbian", []),
])
def test_bureau_users_see_projects_built_for_their_part_of_the_tree(users, login, changchun_project, jilin_project, username, visible):
    response = login(users[username]).get(LIST)
    assert [row["project"].name for row in response.context["rows"]] == visible


def test_bureau_of_the_construction_organization_sees_its_projects(users, login):
    project = ProjectFactory(construction_org=org("220100-jyj"))
    assert codes(login(users["sub_changchun"]).get(LIST)) == [project.code]


@pytest.mark.parametrize("name", ["projects:project_detail", "projects:project_edit", "projects:milestone_add"])
def test_invisible_project_pages_are_404(users, login, jilin_project, name):
    assert login(users["sub_changchun"]).get(reverse(name, args=[jilin_project.pk])).status_code == 404


def test_transition_on_an_invisible_project_is_404_and_changes_nothing(users, login, jilin_project):
    response = login(users["sub_changchun"]).post(
        reverse("projects:project_transition", args=[jilin_project.pk]), {"machine": "hardware", "name": "request"})
    assert response.status_code == 404
    assert Project.objects.get(pk=jilin_project.pk).hardware_status == "planning"


def test_unknown_project_is_404(users, login):
    assert login(users["pm"]).get(reverse("projects:project_detail", args=[999999])).status_code == 404


def test_anonymous_user_is_sent_to_login(client, changchun_project):
    response = client.get(detail(changchun_project))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# ------------------------------------------------------------------ the project page


def test_project_page_shows_four_lanes_with_actions_and_blocking_guards(users, login, changchun_project):
    response = login(users["pm"]).get(detail(changchun_project))
    assert response.status_code == 200
    lanes = {lane["machine"]: lane for lane in response.context["lanes"]}
    assert [lane["machine"] for lane in response.context["lanes"]] == ["hardware", "funding", "development", "operations"]
    # No item recorded yet: the request waits for one; "no hardware needed" is apart, behind a confirmation.
    assert lanes["hardware"]["actions"] == []
    assert [a["name"] for a in lanes["hardware"]["backward"]] == ["waive"]
    assert [b["name"] for b in lanes["hardware"]["blocked"]] == ["request"]
    assert lanes["funding"]["actions"] == []
    assert lanes["development"]["actions"] == []
    assert [(b["name"], [r["message"] for r in b["reasons"]], [r["anchor"] for r in b["reasons"]])
            for b in lanes["development"]["blocked"]] == [("start", [str(_funding_message())], ["lane-funding"])]
    assert lanes["operations"]["actions"] == []
    assert [b["name"] for b in lanes["operations"]["blocked"]] == ["start_trial"]
    content = response.content.decode()
    assert 'data-testid="blocked-hardware-request"' in content and 'href="#hardware-items"' in content
    assert 'data-testid="blocked-development-start"' in content and 'href="#lane-funding"' in content
    assert 'data-testid="ask-hardware-waive"' in content
    hardware_item(changchun_project)
    lanes = {lane["machine"]: lane for lane in login(users["pm"]).get(detail(changchun_project)).context["lanes"]}
    assert [a["name"] for a in lanes["hardware"]["actions"]] == ["request"]


def _funding_message():
    from projects.delivery.workflows import is_funding_allocated

    return is_funding_allocated.guard_message


def test_finance_sees_its_own_action_in_the_funding_lane(users, login, changchun_project):
    from tests.budgets.factories import LineFactory

    LineFactory(project=changchun_project, amount=changchun_project.approved_budget)  # budgeting needs a line
    lanes = {lane["machine"]: lane for lane in login(users["finance"]).get(detail(changchun_project)).context["lanes"]}
    assert [a["name"] for a in lanes["funding"]["actions"]] == ["budget"]
    assert lanes["hardware"]["actions"] == []


def test_beneficiary_submitter_reads_the_page_but_may_do_nothing(users, login, changchun_project):
    response = login(users["sub_changchun"]).get(detail(changchun_project))
    assert response.status_code == 200
    assert all(lane["actions"] == [] for lane in response.context["lanes"])
    assert response.context["may_edit"] is False
    assert response.context["attach_form"] is None


def test_project_page_lists_demands_hardware_milestones_budget_and_merged_history(users, login):
    from assets.models import HardwareItem

    demand = ApprovedDemandFactory(title="长春市智慧停车诱导系统")
    project = services.on_demand_approved(demand, users["prov_approver"])
    HardwareItem.objects.create(name="云主机", kind="cloud_vm", project=project, quantity=2, unit_cost=Decimal("1000.00"))
    Milestone.objects.create(project=project, name="需求调研完成", planned_date=date(2026, 3, 1))
    services.project_transition(project=project, machine="hardware", name="request", actor=users["pm"], comment="申请云资源")
    response = login(users["pm"]).get(detail(project))
    assert [d.pk for d in response.context["demands"]] == [demand.pk]
    assert [h.name for h in response.context["hardware"]] == ["云主机"]
    assert [m.name for m in response.context["milestones"]] == ["需求调研完成"]
    assert response.context["budget"] == {"approved": Decimal("350000.00"), "demanded": Decimal("350000.00"),
                                          "hardware": Decimal("2000.00")}
    assert [(i["row"].machine, i["row"].transition) for i in response.context["timeline"]] == [("hardware", "request")]


def test_history_merges_the_project_and_its_demands(users, login):
    from core import workflow
    from tests.projects.review_factories import give_opinions, seat_panel

    demand = ApprovedDemandFactory(status="expert_review")
    seat_panel(demand, users)
    give_opinions(demand, users)
    workflow.fire(demand, field="status", name="expert_approve", actor=users["prov_approver"], comment="专家通过")
    project = services.on_demand_approved(demand, users["prov_approver"])
    services.project_transition(project=project, machine="hardware", name="waive", actor=users["pm"])
    timeline = login(users["auditor"]).get(detail(project)).context["timeline"]
    assert [(i["row"].machine, i["row"].transition, i["is_project"]) for i in timeline] == [
        ("status", "expert_approve", False), ("hardware", "waive", True)]


def test_firing_from_the_page_moves_the_machine(users, login, changchun_project):
    hardware_item(changchun_project)
    response = login(users["pm"]).post(reverse("projects:project_transition", args=[changchun_project.pk]),
                                       {"machine": "hardware", "name": "request", "comment": "申请"}, follow=True)
    assert response.status_code == 200
    assert Project.objects.get(pk=changchun_project.pk).hardware_status == "requested"
    assert len(list(response.context["messages"])) == 1


def test_refused_transition_from_the_page_says_why_and_changes_nothing(users, login, changchun_project):
    response = login(users["pm"]).post(reverse("projects:project_transition", args=[changchun_project.pk]),
                                       {"machine": "development", "name": "start"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and str(_funding_message()) in messages[0]
    assert Project.objects.get(pk=changchun_project.pk).development_status == "not_started"


def test_forbidden_transition_from_the_page_is_refused(users, login, changchun_project):
    response = login(users["sub_changchun"]).post(reverse("projects:project_transition", args=[changchun_project.pk]),
                                                  {"machine": "hardware", "name": "request"}, follow=True)
    assert response.status_code == 200
    assert Project.objects.get(pk=changchun_project.pk).hardware_status == "planning"


# ------------------------------------------------------------------ details and milestones


def edit_data(client, project, **changes) -> dict:
    """What the edit page posts, as it shows it (with its version), with `changes` applied."""
    from core.testing import browser_form_data

    page = client.get(reverse("projects:project_edit", args=[project.pk]))
    data = {k: v[0] for k, v in browser_form_data(page.content.decode()).items()}
    return {**data, **changes}


def test_edit_page_has_no_approved_budget_and_ignores_one_posted(users, login, changchun_project):
    client = login(users["prov_approver"])
    page = client.get(reverse("projects:project_edit", args=[changchun_project.pk]))
    assert "approved_budget" not in page.context["form"].fields
    assert 'name="approved_budget"' not in page.content.decode()
    response = client.post(reverse("projects:project_edit", args=[changchun_project.pk]),
                           edit_data(client, changchun_project, approved_budget="9000000.00", name="长春智慧校园二期"))
    assert response.status_code == 302
    fresh = Project.objects.get(pk=changchun_project.pk)
    assert (fresh.name, fresh.approved_budget) == ("长春智慧校园二期", Decimal("1000000.00"))


def test_edit_page_saves_planned_dates_in_order(users, login, changchun_project):
    client = login(users["prov_approver"])
    response = client.post(reverse("projects:project_edit", args=[changchun_project.pk]), edit_data(
        client, changchun_project, planned_start="2026-01-01", planned_end="2026-12-31", manager=users["pm"].pk))
    assert response.status_code == 302
    fresh = Project.objects.get(pk=changchun_project.pk)
    assert (fresh.planned_start, fresh.planned_end, fresh.manager) == (date(2026, 1, 1), date(2026, 12, 31), users["pm"])


def test_edit_page_refuses_planned_dates_out_of_order(users, login, changchun_project):
    client = login(users["pm"])
    response = client.post(reverse("projects:project_edit", args=[changchun_project.pk]), edit_data(
        client, changchun_project, name="x", planned_start="2026-12-31", planned_end="2026-01-01"))
    assert list(response.context["form"].errors) == ["planned_end"]


def test_edit_page_refuses_an_edit_of_a_project_changed_since_it_was_opened(users, login, changchun_project):
    client = login(users["pm"])
    data = edit_data(client, changchun_project, name="长春智慧校园（改）")
    hardware_item(changchun_project)
    services.project_transition(project=changchun_project, machine="hardware", name="request", actor=users["pm"])
    response = client.post(reverse("projects:project_edit", args=[changchun_project.pk]), data)
    assert response.status_code == 200
    content = response.content.decode()
    assert str(StaleEdit().message) in content and 'data-testid="reload"' in content
    fresh = Project.objects.get(pk=changchun_project.pk)
    assert (fresh.name, fresh.hardware_status) == ("长春智慧校园", "requested")
    # Opened again, the edit goes through.
    assert client.post(reverse("projects:project_edit", args=[changchun_project.pk]),
                       edit_data(client, changchun_project, name="长春智慧校园（改）")).status_code == 302
    assert Project.objects.get(pk=changchun_project.pk).name == "长春智慧校园（改）"


def test_edit_page_without_a_version_is_refused_as_stale(users, login, changchun_project):
    client = login(users["pm"])
    data = {k: v for k, v in edit_data(client, changchun_project, name="新名称").items() if k != "version"}
    response = client.post(reverse("projects:project_edit", args=[changchun_project.pk]), data)
    assert response.status_code == 200 and Project.objects.get(pk=changchun_project.pk).name == "长春智慧校园"


def test_milestone_page_adds_one_with_its_document_and_serves_it_only_to_those_who_see_the_project(
        users, login, client, changchun_project, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    changchun_project.planned_start, changchun_project.planned_end = date(2026, 1, 1), date(2026, 12, 31)
    changchun_project.save()
    response = login(users["pm"]).post(reverse("projects:milestone_add", args=[changchun_project.pk]), {
        "name": "竣工验收", "planned_date": "2026-06-01", "actual_date": "2026-06-02", "note": "",
        "document": SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 ok", content_type="application/pdf")})
    assert response.status_code == 302
    milestone = Milestone.objects.get(project=changchun_project)
    url = reverse("projects:milestone_document", args=[milestone.pk])
    download = login(users["sub_changchun"]).get(url)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 ok"
    assert login(users["sub_jilin"]).get(url).status_code == 404
    assert login(users["coord_yanbian"]).get(reverse("projects:milestone_edit", args=[milestone.pk])).status_code == 404


def test_milestone_page_refuses_a_date_outside_the_project_plan(users, login, changchun_project):
    changchun_project.planned_start, changchun_project.planned_end = date(2026, 1, 1), date(2026, 12, 31)
    changchun_project.save()
    response = login(users["pm"]).post(reverse("projects:milestone_add", args=[changchun_project.pk]), {
        "name": "竣工验收", "planned_date": "2027-02-01", "actual_date": "", "note": ""})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["planned_date"]
    assert Milestone.objects.count() == 0


def test_reviewer_attaches_an_approved_demand_from_the_page(users, login, changchun_project):
    demand = ApprovedDemandFactory(org=org("220300-swj"))
    response = login(users["prov_reviewer"]).post(reverse("projects:project_attach_demand", args=[changchun_project.pk]),
                                                  {"demand": demand.pk})
    assert response.status_code == 302
    assert sorted(o.code for o in changchun_project.beneficiary_orgs.all()) == ["220100-jyj", "220300-swj"]


# ------------------------------------------------------------------ filters


def test_list_filters_by_state_organization_year_and_lateness(users, login):
    today = timezone.localdate()
    a = ProjectFactory(hardware_status="accepted", year=2025, beneficiaries=[org("220100-jyj")])
    b = ProjectFactory(funding_status="allocated", year=2026, beneficiaries=[org("220200-mzj")],
                       planned_start=today - timedelta(days=400), planned_end=today - timedelta(days=1))
    c = ProjectFactory(operations_status="retired", development_status="delivered", year=2026,
                       planned_start=today - timedelta(days=400), planned_end=today - timedelta(days=1))
    client = login(users["prov_approver"])
    assert codes(client.get(LIST, {"hardware_status": "accepted"})) == [a.code]
    assert codes(client.get(LIST, {"funding_status": "allocated"})) == [b.code]
    assert codes(client.get(LIST, {"operations_status": "retired"})) == [c.code]
    assert codes(client.get(LIST, {"org": org("220200-mzj").pk})) == [b.code]
    assert sorted(codes(client.get(LIST, {"org": org("220000-zwj").pk}))) == sorted([a.code, b.code, c.code])
    assert codes(client.get(LIST, {"year": 2025})) == [a.code]
    assert codes(client.get(LIST, {"late": "true"})) == [b.code]
    assert codes(client.get(LIST, {"search": b.code})) == [b.code]


# ------------------------------------------------------------------ portfolio


def test_portfolio_counts_each_stage_of_each_machine_and_lists_late_projects(users, login):
    today = timezone.localdate()
    ProjectFactory(hardware_status="accepted", funding_status="allocated")
    ProjectFactory(hardware_status="accepted", development_status="delivered", operations_status="in_operation",
                   planned_start=today - timedelta(days=400), planned_end=today - timedelta(days=5))
    late = ProjectFactory(development_status="building", planned_start=today - timedelta(days=400),
                          planned_end=today - timedelta(days=10))
    Milestone.objects.create(project=late, name="测试完成", planned_date=today - timedelta(days=20))
    response = login(users["prov_approver"]).get(PORTFOLIO)
    assert response.status_code == 200
    counts = {(s["machine"], st["state"]): st["count"] for s in response.context["stages"] for st in s["states"]}
    assert counts[("hardware", "accepted")] == 2
    assert counts[("hardware", "planning")] == 1
    assert counts[("funding", "unfunded")] == 2
    assert counts[("funding", "allocated")] == 1
    assert counts[("development", "building")] == 1
    assert counts[("development", "delivered")] == 1
    assert counts[("operations", "in_operation")] == 1
    assert sum(v for (m, _s), v in counts.items() if m == "operations") == 3
    assert response.context["total"] == 3
    assert response.context["late_count"] == 1
    assert [(p.code, p.days_late, p.overdue_milestones) for p in response.context["late"]] == [(late.code, 10, 1)]


def test_portfolio_of_a_city_coordinator_counts_only_its_projects(users, login, changchun_project, jilin_project):
    response = login(users["coord_changchun"]).get(PORTFOLIO)
    assert response.context["total"] == 1


# ------------------------------------------------------------------ query counts


def make_projects(n):
    for i in range(n):
        ProjectFactory(manager=None if i % 2 else users_pm(), beneficiaries=[org("220100-jyj"), org("220200-mzj")],
                       hardware_status=["planning", "requested", "accepted"][i % 3])


def users_pm():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="pm")


@pytest.mark.parametrize("username", ["prov_approver", "coord_changchun", "sub_changchun"])
def test_list_page_queries_do_not_grow_with_projects(users, login, django_assert_num_queries, username):
    client = login(users[username])
    make_projects(3)
    with django_assert_num_queries(QUERIES_LIST[username]):
        assert len(client.get(LIST).context["rows"]) == 3
    make_projects(30)
    with django_assert_num_queries(QUERIES_LIST[username]):
        assert len(client.get(LIST).context["rows"]) == 33


@pytest.mark.parametrize("username", ["prov_approver", "coord_changchun"])
def test_portfolio_queries_do_not_grow_with_projects(users, login, django_assert_num_queries, username):
    client = login(users[username])
    today = timezone.localdate()
    ProjectFactory(beneficiaries=[org("220100-jyj")], planned_start=today - timedelta(days=100), planned_end=today - timedelta(days=1))
    with django_assert_num_queries(QUERIES_PORTFOLIO[username]):
        assert client.get(PORTFOLIO).context["late_count"] == 1
    for _i in range(20):
        ProjectFactory(beneficiaries=[org("220100-jyj")], planned_start=today - timedelta(days=100),
                       planned_end=today - timedelta(days=1))
    with django_assert_num_queries(QUERIES_PORTFOLIO[username]):
        assert client.get(PORTFOLIO).context["late_count"] == 21


# session, user, the user's organization (header), unread notifications, count, page, the page's beneficiaries,
# organizations and years of the filters
QUERIES_LIST = {"prov_approver": 9, "coord_changchun": 9, "sub_changchun": 9}
# session, user, the user's organization (header), unread notifications, stage counts, late projects
QUERIES_PORTFOLIO = {"prov_approver": 6, "coord_changchun": 6}


# ------------------------------------------------------------------ home panels


def test_home_shows_what_waits_for_each_project_role(users, login):
    today = timezone.localdate()
    ProjectFactory(funding_status="unfunded", manager=users["pm"])
    ProjectFactory(development_status="delivered", manager=users["pm"])
    ProjectFactory(manager=None)  # another manager's or nobody's: not "mine"
    ProjectFactory(development_status="testing", hardware_status="procuring", manager=users["pm"],
                   planned_start=today - timedelta(days=100), planned_end=today - timedelta(days=1))

    def panels(username):
        return {str(p.title): p.value for p in login(users[username]).get(reverse("home")).context["panels"]
                if p.url.startswith(LIST)}

    assert panels("pm") == {_("Projects I drive"): 3, _("Acceptance waiting for hardware"): 1, _("Late projects"): 1}
    assert panels("ops") == {_("Ready for a trial run"): 1, _("In trial run"): 0}
    assert panels("prov_approver") == {_("Late projects"): 1}
    assert panels("sub_changchun") == {}


# ------------------------------------------------------------------ blocked reasons: who acts, and where


def test_every_guard_of_the_four_machines_links_to_a_place_on_the_page(users, login, changchun_project):
    """Issue 10 item 9: each guard's message says who must act; the page links it to an anchor it has."""
    import re

    from django.utils import translation

    from core.workflow import machine_spec
    from projects.delivery.choices import MACHINE_FIELDS
    from projects.delivery.views import guard_reason

    hardware_item(changchun_project)
    content = login(users["pm"]).get(detail(changchun_project)).content.decode()
    anchors = set(re.findall(r'id="([\w-]+)"', content))
    conditions = []
    for machine, field in MACHINE_FIELDS.items():
        for spec in machine_spec(Project, field).values():
            method = getattr(Project, spec.method)
            for transition in method._django_fsm.transitions.values():
                conditions += [(machine, c) for c in transition.conditions]
    assert len({c for _m, c in conditions}) >= 8
    for machine, condition in conditions:
        reason = guard_reason(machine, condition)
        assert reason["anchor"] in anchors, (condition.__name__, reason["anchor"])
        with translation.override("en"):
            assert "waiting for" in guard_reason(machine, condition)["message"], condition.__name__
        with translation.override("zh-hans"):
            assert "等待" in guard_reason(machine, condition)["message"], condition.__name__
            assert guard_reason(machine, condition)["link"].startswith("前往")


def test_hardware_items_are_entered_on_the_page_by_the_project_manager_only(users, login, changchun_project):
    url = reverse("projects:project_hardware_add", args=[changchun_project.pk])
    data = {"name": "对象存储", "kind": "cloud_storage", "quantity": "1", "unit_cost": "2.4万", "location": "provincial_cloud"}
    assert login(users["ops"]).post(url, data).status_code == 404
    assert changchun_project.hardware_items.count() == 0
    response = login(users["pm"]).post(url, data, follow=True)
    item = changchun_project.hardware_items.get()
    assert (item.name, item.unit_cost, item.status) == ("对象存储", Decimal("24000.00"), "planned")
    assert "¥24,000.00" in response.content.decode()
    # A bad amount is refused naming the field and the value, nothing saved.
    response = login(users["pm"]).post(url, {**data, "unit_cost": "五十万"}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert len(messages) == 1 and "五十万" in messages[0]
    assert changchun_project.hardware_items.count() == 1
    delivered = reverse("projects:project_hardware_delivered", args=[item.pk])
    assert login(users["finance"]).post(delivered).status_code == 404
    assert login(users["pm"]).post(delivered).status_code == 302
    item.refresh_from_db()
    assert item.status == "delivered"


def test_the_acceptance_document_is_uploaded_on_the_acceptance_milestone_and_checked(users, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(hardware_status="accepted", development_status="acceptance")
    client = login(users["pm"])
    url = reverse("projects:milestone_add", args=[project.pk])
    assert client.get(url + "?kind=final_acceptance").context["form"].initial["kind"] == "final_acceptance"
    exe = SimpleUploadedFile("验收报告.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
    response = client.post(url, {"name": "竣工验收", "kind": "final_acceptance", "planned_date": "2026-06-01", "document": exe})
    assert response.status_code == 200 and list(response.context["form"].errors) == ["document"]
    assert Milestone.objects.count() == 0
    pdf = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    assert client.post(url, {"name": "竣工验收", "kind": "final_acceptance", "planned_date": "2026-06-01", "document": pdf}).status_code == 302
    milestone = Milestone.objects.get()
    assert (milestone.kind, bool(milestone.document)) == ("final_acceptance", True)
    lanes = {lane["machine"]: lane for lane in client.get(detail(project)).context["lanes"]}
    assert [a["name"] for a in lanes["development"]["actions"]] == ["deliver"]
    assert [a["name"] for a in lanes["development"]["backward"]] == ["rework"]


@pytest.mark.parametrize(("state", "name", "message"), [
    ("unfunded", "budget", "waiting for finance to confirm the budget from the lines entered"),
    ("budgeted", "allocate", "waiting for finance to allocate the funds"),
])
def test_funding_lane_tells_the_project_manager_whom_it_waits_for(users, login, state, name, message):
    from tests.budgets.factories import LineFactory

    project = ProjectFactory(name="长春智慧校园", beneficiaries=[org("220100-jyj")], funding_status=state)
    LineFactory(project=project, amount=project.approved_budget)  # a line exists: the next step is finance's
    response = login(users["pm"]).get(detail(project), HTTP_ACCEPT_LANGUAGE="en")
    funding = {lane["machine"]: lane for lane in response.context["lanes"]}["funding"]
    assert (funding["actions"], funding["blocked"]) == ([], [])
    assert [(w["name"], w["message"]) for w in funding["waiting"]] == [(name, message)]
    content = response.content.decode()
    assert f'data-testid="waiting-funding-{name}"' in content and message in content
    assert "Nothing for you to do here now." not in content.split('id="lane-funding"')[1].split('id="lane-development"')[0]
    # finance, whose step it is, gets the button instead of the note
    lanes = {lane["machine"]: lane for lane in login(users["finance"]).get(detail(project)).context["lanes"]}
    assert ([a["name"] for a in lanes["funding"]["actions"]], lanes["funding"]["waiting"]) == ([name], [])


def test_funding_lane_without_a_line_shows_the_guard_not_a_waiting_note(users, login, changchun_project):
    funding = {lane["machine"]: lane for lane in login(users["pm"]).get(detail(changchun_project)).context["lanes"]}["funding"]
    assert [b["name"] for b in funding["blocked"]] == ["budget"]
    assert funding["waiting"] == []
