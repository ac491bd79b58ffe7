"""Projects born from demands, beneficiaries, details and milestones, and the catalogue loop."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assets.models import InformationSystem
from core import workflow
from core.errors import TransitionConflict, TransitionForbidden, TransitionInvalid
from core.models import AuditLog
from projects.delivery import services
from projects.models import Demand, Milestone, Project

from .project_factories import ApprovedDemandFactory, ProjectFactory, acceptance_milestone, hardware_item, org

pytestmark = pytest.mark.django_db


def project_log(project):
    return list(
        AuditLog.objects.filter(content_type=ContentType.objects.get_for_model(Project), object_id=project.pk)
        .values_list("machine", "transition")
    )


# ------------------------------------------------------------------ born from demands


def test_approved_demand_becomes_a_new_project(users):
    demand = ApprovedDemandFactory(title="长春市智慧停车诱导系统", planned_start=date(2026, 3, 1), planned_end=date(2026, 12, 31))
    project = services.on_demand_approved(demand, users["prov_approver"])
    year = timezone.localdate().year
    assert re.fullmatch(rf"XM-{year}-\d{{4}}", project.code)
    assert project.name == "长春市智慧停车诱导系统"
    assert project.construction_org.code == "220000-zwj"
    assert [o.code for o in project.beneficiary_orgs.all()] == ["220100-jyj"]
    assert project.approved_budget == Decimal("350000.00")
    assert project.manager == users["pm"]  # the construction team's default manager from the start
    assert project.year == year
    assert (project.planned_start, project.planned_end) == (date(2026, 3, 1), date(2026, 12, 31))
    assert (project.hardware_status, project.funding_status, project.development_status, project.operations_status) == (
        "planning", "unfunded", "not_started", "not_started")
    assert Demand.objects.get(pk=demand.pk).project == project
    assert demand.project == project


def test_project_numbers_follow_one_another(users):
    first = services.on_demand_approved(ApprovedDemandFactory(), users["prov_approver"])
    second = services.on_demand_approved(ApprovedDemandFactory(), users["prov_approver"])
    assert int(second.code[-4:]) == int(first.code[-4:]) + 1


def test_approval_hook_twice_makes_one_project(users):
    demand = ApprovedDemandFactory()
    first = services.on_demand_approved(demand, users["prov_approver"])
    assert services.on_demand_approved(demand, users["prov_approver"]) == first
    assert Project.objects.count() == 1


def test_demand_not_approved_does_not_become_a_project(users):
    demand = ApprovedDemandFactory(status="provincial_review")
    with pytest.raises(TransitionInvalid) as err:
        services.create_project_for_demand(demand, users["prov_approver"])
    assert list(err.value.field_errors) == ["demand"]
    assert Project.objects.count() == 0


def test_approved_demand_can_join_an_existing_project_on_creation(users):
    project = ProjectFactory(beneficiaries=[org("220200-mzj")])
    demand = ApprovedDemandFactory()
    assert services.create_project_for_demand(demand, users["prov_approver"], project=project) == project
    project.refresh_from_db()
    assert project.approved_budget == Decimal("1350000.00")
    assert sorted(o.code for o in project.beneficiary_orgs.all()) == ["220100-jyj", "220200-mzj"]


def test_reviewer_attaches_an_approved_demand_to_an_existing_project(users):
    project = ProjectFactory()
    demand = ApprovedDemandFactory(org=org("222401-jyj"))
    services.attach_demand_to_project(demand, project, users["prov_reviewer"])
    project.refresh_from_db()
    assert list(project.demands.all()) == [demand]
    assert [o.code for o in project.beneficiary_orgs.all()] == ["222401-jyj"]
    assert project.approved_budget == Decimal("1350000.00")


@pytest.mark.parametrize("username", ["pm", "finance", "ops", "sub_changchun", "coord_changchun", "auditor"])
def test_only_reviewers_attach_demands(users, username):
    project = ProjectFactory()
    demand = ApprovedDemandFactory()
    with pytest.raises(TransitionForbidden):
        services.attach_demand_to_project(demand, project, users[username])
    assert Demand.objects.get(pk=demand.pk).project is None
    assert Project.objects.get(pk=project.pk).approved_budget == Decimal("1000000.00")


def test_demand_of_another_project_cannot_be_attached(users):
    other, project = ProjectFactory(), ProjectFactory()
    demand = ApprovedDemandFactory(project=other)
    with pytest.raises(TransitionConflict):
        services.attach_demand_to_project(demand, project, users["prov_reviewer"])
    assert Demand.objects.get(pk=demand.pk).project == other


def test_retired_project_takes_no_demand(users):
    project = ProjectFactory(operations_status="retired")
    with pytest.raises(TransitionInvalid):
        services.attach_demand_to_project(ApprovedDemandFactory(), project, users["prov_reviewer"])
    assert project.beneficiary_orgs.count() == 0


def test_add_beneficiary_is_idempotent(users):
    project = ProjectFactory()
    assert services.add_beneficiary(project, org("220100-jyj")) is True
    assert services.add_beneficiary(project, org("220100-jyj")) is False
    assert [o.code for o in project.beneficiary_orgs.all()] == ["220100-jyj"]


# ------------------------------------------------------------------ the catalogue loop


def live_project(users, *demand_orgs):
    project = ProjectFactory(development_status="delivered", operations_status="trial", name="全省智慧停车平台",
                             description="省建市用的停车平台")
    for i, code in enumerate(demand_orgs):
        services.create_project_for_demand(
            ApprovedDemandFactory(org=org(code), capabilities=[["gis", "payment"], ["payment", "iot"]][i % 2]),
            users["prov_approver"], project=project)
    return project


def test_go_live_registers_the_system_in_the_catalogue(users):
    project = live_project(users, "220100-jyj", "220200-mzj")
    services.project_transition(project=project, machine="operations", name="go_live", actor=users["ops"])
    system = InformationSystem.objects.get(project=project)
    assert system.name == "全省智慧停车平台"
    assert system.status == "in_operation"
    assert system.owner_org.code == "220000-zwj"
    assert sorted(c.code for c in system.capabilities.all()) == ["gis", "iot", "payment"]
    assert sorted(o.code for o in system.user_orgs.all()) == ["220100-jyj", "220200-mzj"]
    assert re.fullmatch(r"XT-\d{4}", system.code)


def test_merged_beneficiary_of_a_live_project_becomes_a_user_of_its_system(users):
    project = live_project(users, "220100-jyj")
    services.project_transition(project=project, machine="operations", name="go_live", actor=users["ops"])
    services.add_beneficiary(project, org("220300-swj"))
    system = InformationSystem.objects.get(project=project)
    assert sorted(o.code for o in system.user_orgs.all()) == ["220100-jyj", "220300-swj"]


def test_finishing_an_upgrade_updates_the_same_catalogue_entry(users):
    project = live_project(users, "220100-jyj")
    services.project_transition(project=project, machine="operations", name="go_live", actor=users["ops"])
    services.project_transition(project=project, machine="operations", name="begin_upgrade", actor=users["ops"])
    services.create_project_for_demand(ApprovedDemandFactory(org=org("222401-jyj"), capabilities=["video"]),
                                       users["prov_approver"], project=project)
    services.project_transition(project=project, machine="operations", name="finish_upgrade", actor=users["ops"])
    assert InformationSystem.objects.filter(project=project).count() == 1
    system = InformationSystem.objects.get(project=project)
    assert sorted(c.code for c in system.capabilities.all()) == ["gis", "payment", "video"]
    assert sorted(o.code for o in system.user_orgs.all()) == ["220100-jyj", "222401-jyj"]


def test_retirement_marks_the_system_retired(users):
    project = live_project(users, "220100-jyj")
    services.project_transition(project=project, machine="operations", name="go_live", actor=users["ops"])
    services.project_transition(project=project, machine="operations", name="retire", actor=users["ops"], comment="并入新平台")
    assert InformationSystem.objects.get(project=project).status == "retired"


def test_failed_catalogue_registration_rolls_the_go_live_back(users, monkeypatch):
    project = live_project(users, "220100-jyj")

    def broken(*args, **kwargs):
        raise RuntimeError("catalogue down")

    monkeypatch.setattr(services.catalogue, "register_system_for_project", broken)
    with pytest.raises(RuntimeError):
        services.project_transition(project=project, machine="operations", name="go_live", actor=users["ops"])
    assert Project.objects.get(pk=project.pk).operations_status == "trial"
    assert project_log(project) == []
    assert not InformationSystem.objects.filter(project=project).exists()


# ------------------------------------------------------------------ details


def test_the_approved_budget_is_not_a_detail_anyone_edits(users):
    project = ProjectFactory()
    for username in ("pm", "prov_approver"):
        with pytest.raises(ValueError, match="approved_budget"):
            services.update_project(project, users[username], approved_budget=Decimal("9000000.00"))
    assert Project.objects.get(pk=project.pk).approved_budget == Decimal("1000000.00")


def test_planned_dates_out_of_order_are_refused(users):
    project = ProjectFactory()
    with pytest.raises(TransitionInvalid) as err:
        services.update_project(project, users["pm"], planned_start=date(2026, 6, 1), planned_end=date(2026, 5, 31))
    assert list(err.value.field_errors) == ["planned_end"]
    assert Project.objects.get(pk=project.pk).planned_start is None


def test_manager_must_be_a_project_manager(users):
    project = ProjectFactory()
    with pytest.raises(TransitionInvalid) as err:
        services.update_project(project, users["prov_approver"], manager=users["finance"])
    assert list(err.value.field_errors) == ["manager"]


def test_leadership_assigns_the_manager_and_dates(users):
    project = ProjectFactory()
    services.update_project(project, users["prov_approver"], manager=users["pm"], planned_start=date(2026, 1, 1),
                            planned_end=date(2026, 12, 31))
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.manager, fresh.planned_start, fresh.planned_end) == (users["pm"], date(2026, 1, 1), date(2026, 12, 31))


@pytest.mark.parametrize("username", ["finance", "ops", "auditor", "sub_changchun", "prov_reviewer"])
def test_others_cannot_change_project_details(users, username):
    with pytest.raises(TransitionForbidden):
        services.update_project(ProjectFactory(), users[username], name="改名")


def test_details_edit_keeps_a_state_changed_meanwhile(users):
    project = ProjectFactory()
    hardware_item(project)
    stale = Project.objects.get(pk=project.pk)
    services.project_transition(project=project, machine="hardware", name="request", actor=users["pm"])
    services.update_project(stale, users["pm"], name="新名称")
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.name, fresh.hardware_status) == ("新名称", "requested")


# ------------------------------------------------------------------ milestones


@pytest.fixture
def planned(users):
    return ProjectFactory(planned_start=date(2026, 1, 1), planned_end=date(2026, 12, 31), actual_start=date(2026, 2, 1))


@pytest.mark.parametrize(
    ("planned_date", "actual_date", "field"),
    [
        (date(2025, 12, 31), None, "planned_date"),
        (date(2027, 1, 1), None, "planned_date"),
        (date(2026, 6, 1), date(2026, 1, 31), "actual_date"),
        (date(2026, 6, 1), timezone.localdate() + timedelta(days=1), "actual_date"),
        (None, None, "planned_date"),
    ],
)
def test_milestone_dates_out_of_order_are_refused(users, planned, planned_date, actual_date, field):
    with pytest.raises(TransitionInvalid) as err:
        services.add_milestone(planned, users["pm"], name="需求调研完成", planned_date=planned_date, actual_date=actual_date)
    assert list(err.value.field_errors) == [field]
    assert Milestone.objects.count() == 0


def test_milestone_with_acceptance_document(users, planned, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    upload = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    milestone = services.add_milestone(planned, users["pm"], name="竣工验收", planned_date=date(2026, 6, 1),
                                       actual_date=date(2026, 6, 3), document=upload)
    milestone.refresh_from_db()
    assert milestone.document.name == f"private/projects/{planned.pk}/milestones/验收报告.pdf"
    assert milestone.document.read() == b"%PDF-1.4 test"


@pytest.mark.parametrize(("name", "size"), [("report.exe", 10), ("report.pdf", 20 * 1024 * 1024 + 1)])
def test_milestone_document_of_wrong_type_or_size_is_refused(users, planned, name, size):
    upload = SimpleUploadedFile(name, b"x" * size)
    with pytest.raises(TransitionInvalid) as err:
        services.add_milestone(planned, users["pm"], name="竣工验收", planned_date=date(2026, 6, 1), document=upload)
    assert list(err.value.field_errors) == ["document"]
    assert Milestone.objects.count() == 0


def test_milestone_update_records_the_actual_date(users, planned):
    milestone = services.add_milestone(planned, users["pm"], name="竣工验收", planned_date=date(2026, 6, 1))
    services.update_milestone(milestone, users["pm"], actual_date=date(2026, 6, 10))
    assert Milestone.objects.get(pk=milestone.pk).actual_date == date(2026, 6, 10)


def test_submitter_cannot_add_milestones(users, planned):
    with pytest.raises(TransitionForbidden):
        services.add_milestone(planned, users["sub_changchun"], name="x", planned_date=date(2026, 6, 1))


# ------------------------------------------------------------------ a whole life


def test_full_life_from_approved_demand_to_retirement(users):
    pm, finance, ops = users["pm"], users["finance"], users["ops"]
    demand = ApprovedDemandFactory(title="全省电子证照库", capabilities=["e_license", "data_exchange"])
    project = services.on_demand_approved(demand, users["prov_approver"])
    services.attach_demand_to_project(ApprovedDemandFactory(org=org("220200-mzj"), capabilities=["e_seal"]), project,
                                      users["prov_reviewer"])
    services.update_project(project, users["prov_approver"], manager=pm)
    item = hardware_item(project)
    steps = [
        ("hardware", "request", pm), ("hardware", "procure", pm), ("money", "line", finance), ("funding", "budget", finance),
        ("funding", "allocate", finance), ("development", "start", pm), ("development", "design", pm),
        ("development", "build", pm), ("hardware", "deliver", pm), ("development", "test", pm),
        ("development", "rework", pm), ("development", "test", pm), ("hardware", "accept", pm),
        ("development", "submit_acceptance", pm), ("development", "deliver", pm), ("money", "pay", finance),
        ("operations", "start_trial", ops), ("operations", "go_live", ops), ("funding", "settle", finance),
        ("operations", "begin_upgrade", ops), ("operations", "finish_upgrade", ops), ("operations", "suspend", ops),
        ("operations", "resume", ops), ("operations", "retire", ops),
    ]
    from budgets import services as money

    for machine, name, actor in steps:
        if (machine, name) == ("hardware", "accept"):
            services.mark_hardware_delivered(item, pm)
        if (machine, name) == ("development", "deliver"):
            acceptance_milestone(project)
        if machine == "money" and name == "line":  # budgeting needs a line; the first payment begins disbursing
            money.add_budget_line(project=project, actor=actor, fiscal_year=2026, source="provincial_fiscal", category="software",
                                  amount=Project.objects.get(pk=project.pk).approved_budget)
        elif machine == "money":
            d = money.request_disbursement(line=project.budget_lines.get(), actor=actor, amount="1000", voucher_no="PZ-LIFE-1",
                                           payee="某公司", date=None)
            money.disbursement_transition(disbursement=d, name="approve", actor=actor)
            money.disbursement_transition(disbursement=d, name="pay", actor=actor)
            workflow.reload(project)
        else:
            services.project_transition(project=project, machine=machine, name=name, actor=actor)
    project = Project.objects.get(pk=project.pk)
    assert (project.hardware_status, project.funding_status, project.development_status, project.operations_status) == (
        "accepted", "settled", "delivered", "retired")
    assert project_log(project) == [("funding", "begin_disbursing") if m == "money" else (m, n)
                                    for m, n, _a in steps if (m, n) != ("money", "line")]
    system = InformationSystem.objects.get(project=project)
    assert system.status == "retired"
    assert sorted(c.code for c in system.capabilities.all()) == ["data_exchange", "e_license", "e_seal"]
    assert sorted(o.code for o in system.user_orgs.all()) == ["220100-jyj", "220200-mzj"]
    assert project.approved_budget == Decimal("700000.00")


def test_a_new_project_has_the_construction_teams_manager_and_it_counts_as_mine(users, client):
    from django.urls import reverse


    project = services.on_demand_approved(ApprovedDemandFactory(), users["prov_approver"])
    assert project.manager == users["pm"]
    client.force_login(users["pm"])
    page = client.get(reverse("projects:project_list") + "?mine=true")
    assert project.code in page.content.decode()
    assert "未指定" not in client.get(reverse("projects:project_detail", args=[project.pk])).content.decode()


def test_details_edit_with_the_version_loaded_before_a_transition_is_refused(users):
    from core.concurrency import edit_version
    from core.errors import StaleEdit

    project = ProjectFactory()
    hardware_item(project)
    version = edit_version(project)
    services.project_transition(project=project, machine="hardware", name="request", actor=users["pm"])
    with pytest.raises(StaleEdit) as err:
        services.update_project(Project.objects.get(pk=project.pk), users["pm"], version=version, name="新名称")
    assert err.value.status_code == 409
    assert Project.objects.get(pk=project.pk).name == project.name
    fresh = Project.objects.get(pk=project.pk)
    services.update_project(fresh, users["pm"], version=edit_version(fresh), name="新名称")
    assert Project.objects.get(pk=project.pk).name == "新名称"


def test_start_keeps_an_actual_start_saved_after_its_copy_was_loaded(users):
    project = ProjectFactory(funding_status="allocated")
    stale = Project.objects.get(pk=project.pk)
    services.update_project(project, users["pm"], actual_start=date(2026, 1, 5))
    services.project_transition(project=stale, machine="development", name="start", actor=users["pm"])
    fresh = Project.objects.get(pk=project.pk)
    assert (fresh.development_status, fresh.actual_start) == ("requirements", date(2026, 1, 5))


# ------------------------------------------------------------------ hardware items of a project


def test_project_manager_records_an_item_with_its_cost_and_marks_it_delivered(users):
    project = ProjectFactory()
    item = services.add_hardware_item(project, users["pm"], name=" 云主机 ", kind="cloud_vm", quantity=2,
                                      unit_cost=Decimal("18000.00"), location="provincial_cloud", supplier="")
    assert (item.project, item.name, item.status, item.total_cost) == (project, "云主机", "planned", Decimal("36000.00"))
    services.mark_hardware_delivered(item, users["pm"])
    assert item.__class__.objects.get(pk=item.pk).status == "delivered"
    with pytest.raises(TransitionConflict):
        services.mark_hardware_delivered(item, users["pm"])


@pytest.mark.parametrize(("fields", "field"), [
    ({"name": " "}, "name"), ({"unit_cost": Decimal("0")}, "unit_cost"), ({"unit_cost": None}, "unit_cost"),
    ({"quantity": 0}, "quantity"), ({"kind": "toaster"}, "kind"), ({"location": "moon"}, "location"),
])
def test_a_bad_item_is_refused_naming_the_field_and_nothing_is_saved(users, fields, field):
    project = ProjectFactory()
    data = {"name": "云主机", "kind": "cloud_vm", "quantity": 1, "unit_cost": Decimal("1.00"), "location": "provincial_cloud",
            "supplier": "", **fields}
    with pytest.raises(TransitionInvalid) as err:
        services.add_hardware_item(project, users["pm"], **data)
    assert list(err.value.field_errors) == [field]
    assert project.hardware_items.count() == 0


@pytest.mark.parametrize("username", ["finance", "ops", "auditor", "prov_approver", "sub_changchun"])
def test_only_the_project_manager_enters_the_hardware_facts(users, username):
    project = ProjectFactory()
    item = hardware_item(project)
    with pytest.raises(TransitionForbidden):
        services.add_hardware_item(project, users[username], name="云主机", kind="cloud_vm", quantity=1,
                                   unit_cost=Decimal("1.00"), location="provincial_cloud", supplier="")
    with pytest.raises(TransitionForbidden):
        services.mark_hardware_delivered(item, users[username])
    assert [i.status for i in project.hardware_items.all()] == ["planned"]


def test_a_milestone_outside_a_plan_shortened_since_still_takes_its_document(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    project = ProjectFactory(planned_start=date(2026, 1, 1), planned_end=date(2027, 12, 31))
    milestone = services.add_milestone(project, users["pm"], name="竣工验收", kind="final_acceptance", planned_date=date(2027, 10, 1))
    services.update_project(project, users["pm"], planned_end=date(2027, 6, 30))
    pdf = SimpleUploadedFile("验收报告.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    services.update_milestone(milestone, users["pm"], name="竣工验收", planned_date=date(2027, 10, 1), document=pdf)
    assert Milestone.objects.get(pk=milestone.pk).document
    with pytest.raises(TransitionInvalid) as err:  # moving it is checked against the plan
        services.update_milestone(milestone, users["pm"], planned_date=date(2027, 9, 1))
    assert list(err.value.field_errors) == ["planned_date"]
