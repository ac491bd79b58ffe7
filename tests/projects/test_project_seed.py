"""The demo projects: every stage of each machine, milestones and hardware, several cities; idempotent."""

import io
import re
from decimal import Decimal

import pytest

from core.seeding import SeedContext
from projects.delivery import seed as seed_projects
from projects.delivery.choices import DevelopmentState, FundingState, HardwareState, OperationsState
from projects.models import Demand, Milestone, Project

pytestmark = pytest.mark.django_db


def run(users):
    ctx = SeedContext(password="demo-pass-2026", scale=1, stdout=io.StringIO(), users=users, quiet=True)
    return seed_projects.run(ctx)


def test_seed_puts_projects_in_every_stage_of_each_machine_and_a_second_run_adds_nothing(users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    run(users)
    assert Project.objects.count() == len(seed_projects.SCENARIOS)
    for field, states in [("hardware_status", HardwareState), ("funding_status", FundingState),
                          ("development_status", DevelopmentState), ("operations_status", OperationsState)]:
        assert set(Project.objects.values_list(field, flat=True)) == {s.value for s in states}, field
    assert Project.objects.filter(milestones__isnull=True).count() == 0
    assert Milestone.objects.exclude(document="").exists()
    # All but the two still planning and the two that need none.
    assert Project.objects.filter(hardware_items__isnull=False).distinct().count() == 12
    several = [p for p in Project.objects.prefetch_related("beneficiary_orgs") if p.beneficiary_orgs.count() > 1]
    assert len(several) == 5
    assert all(len({o.city_id for o in p.beneficiary_orgs.all()}) > 1 for p in several)
    assert all(p.demands.count() == p.beneficiary_orgs.count() for p in several)
    assert Project.objects.filter(system__status="in_operation").count() == 4
    assert Project.objects.filter(system__status="retired").count() == 1
    before = (Project.objects.count(), Milestone.objects.count())
    assert "(already seeded; 0 for approved demands without one)" in run(users)
    assert (Project.objects.count(), Milestone.objects.count()) == before
    # What the lanes rest on was entered as the people do: items before the request, delivered
    # before the acceptance; an acceptance milestone with its document before the delivery.
    for project in Project.objects.exclude(hardware_status__in=["planning", "not_required"]):
        assert project.hardware_items.filter(unit_cost__gt=0).exists(), project.code
    for project in Project.objects.filter(hardware_status="accepted"):
        assert not project.hardware_items.filter(status__in=["planned", "ordered"]).exists(), project.code
    for project in Project.objects.filter(development_status="delivered"):
        assert project.milestones.filter(kind="final_acceptance").exclude(document="").exists(), project.code


def test_seed_uses_approved_demands_left_without_a_project_first_and_gives_every_other_one_a_project(users, settings, tmp_path):
    from .project_factories import ApprovedDemandFactory

    settings.MEDIA_ROOT = tmp_path
    # The scenarios take 25 demands (16 projects, 9 more demands for projects of several cities).
    leftovers = [ApprovedDemandFactory(title=f"遗留的已批准需求{i}") for i in range(27)]
    run(users)
    assert Demand.objects.filter(status="approved", project__isnull=True).count() == 0
    assert Demand.objects.filter(pk__in=[d.pk for d in leftovers[:25]], project__milestones__isnull=False).distinct().count() == 25
    rest = Project.objects.filter(demands__in=leftovers[25:]).order_by("code")
    assert [p.name for p in rest] == ["遗留的已批准需求25", "遗留的已批准需求26"]
    assert {(p.hardware_status, p.funding_status, p.development_status, p.operations_status) for p in rest} == {
        ("planning", "unfunded", "not_started", "not_started")}
    assert all(re.fullmatch(r"XM-\d{4}-\d{4}", p.code) and p.approved_budget == Decimal("350000.00") for p in rest)
    assert all([o.code for o in p.beneficiary_orgs.all()] == ["220100-jyj"] for p in rest)
    assert [p.manager.username for p in rest] == ["pm", "pm"]  # a manager from the moment it exists
    assert Project.objects.count() == len(seed_projects.SCENARIOS) + 2
